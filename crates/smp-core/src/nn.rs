//! A small pure-Rust runner for the converted MediaPipe networks (no inference crate): the face
//! detector ([`crate::face`], BlazeFace), the person mask ([`crate::segment`], selfie
//! segmentation) and the face mesh ([`crate::landmarks`], 468 face landmarks).
//!
//! A model file (written by `scripts/face-model`, format described in `scripts/face-model.py`)
//! is a list of ops over numbered NHWC tensors (batch 1): CONV_2D, DEPTHWISE_CONV_2D, ADD, RELU,
//! MAX_POOL_2D, PAD, RESHAPE, CONCATENATION (BlazeFace), and HARD_SWISH, LOGISTIC, MUL,
//! AVERAGE_POOL_2D, RESIZE_BILINEAR and MediaPipe's transposed convolution (the selfie model),
//! and PRELU (the face-landmark model, [`crate::landmarks`]).
//! The .tflite's DEQUANTIZE ops are folded into the fp16 weights, which are widened to f32 once.
//! [`Model::parse`] checks every shape against the ops, so [`Model::run`] cannot index out of
//! bounds on any file it accepted.

/// A convolution's window, weights and activation.
#[derive(Debug)]
struct Kernel {
    kh: usize,
    kw: usize,
    stride: usize,
    same: bool,
    relu: bool,
    w: Vec<f32>,
    /// A full convolution's weights again, k-major (`kh*kw*ic` rows of `oc`: the outputs'
    /// weights for one input value side by side), for [`gemm`]'s blocks; empty otherwise.
    wt: Vec<f32>,
    b: Vec<f32>,
}

#[derive(Debug)]
enum Op {
    /// A convolution; `depthwise`: each channel filtered on its own (weights `kh*kw*c`),
    /// otherwise a full one (weights `oc*kh*kw*ic`).
    Conv {
        input: usize,
        output: usize,
        depthwise: bool,
        kernel: Kernel,
    },
    Add {
        a: usize,
        b: usize,
        output: usize,
        relu: bool,
    },
    Relu {
        input: usize,
        output: usize,
    },
    Pool {
        input: usize,
        output: usize,
        kh: usize,
        kw: usize,
        stride: usize,
        same: bool,
        kind: Pool,
    },
    Pad {
        input: usize,
        output: usize,
        pads: [usize; 6],
    },
    Reshape {
        input: usize,
        output: usize,
    },
    Concat {
        inputs: Vec<usize>,
        output: usize,
    },
    HardSwish {
        input: usize,
        output: usize,
    },
    Logistic {
        input: usize,
        output: usize,
    },
    /// `a · b`, `b` of `a`'s shape or 1 x 1 x c (one factor per channel).
    Mul {
        a: usize,
        b: usize,
        output: usize,
        relu: bool,
    },
    ResizeBilinear {
        input: usize,
        output: usize,
        align_corners: bool,
        half_pixel: bool,
    },
    /// A transposed convolution plus bias (MediaPipe's Convolution2DTransposeBias); weights
    /// `oc*kh*kw*ic`.
    Deconv {
        input: usize,
        output: usize,
        kernel: Kernel,
    },
    /// A parametric ReLU: `x` where `x >= 0`, else `alpha[c] · x` (one slope per channel).
    Prelu {
        input: usize,
        output: usize,
        alpha: Vec<f32>,
    },
}

/// The network: tensor shapes (h, w, c; tensor 0 is the input), its outputs and the ops in order.
#[derive(Debug)]
pub struct Model {
    shapes: Vec<[usize; 3]>,
    outputs: Vec<usize>,
    ops: Vec<Op>,
}

/// IEEE half -> single (exact).
pub(crate) fn f16_to_f32(h: u16) -> f32 {
    let sign = ((h >> 15) as u32) << 31;
    let exp = ((h >> 10) & 0x1f) as u32;
    let frac = (h & 0x3ff) as u32;
    let bits = match (exp, frac) {
        (0, 0) => sign,
        (0, f) => {
            // Subnormal: normalise.
            let shift = f.leading_zeros() - 21;
            sign | ((127 - 15 + 1 - shift) << 23) | ((f << shift) & 0x3ff) << 13
        }
        (0x1f, f) => sign | 0x7f80_0000 | (f << 13),
        (e, f) => sign | ((e + 127 - 15) << 23) | (f << 13),
    };
    f32::from_bits(bits)
}

struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl Reader<'_> {
    fn u32(&mut self) -> Result<u32, String> {
        let b = self.bytes.get(self.at..self.at + 4).ok_or("the model file is truncated")?;
        self.at += 4;
        Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }
    fn usize(&mut self) -> Result<usize, String> {
        Ok(self.u32()? as usize)
    }
    fn f16s(&mut self, n: usize) -> Result<Vec<f32>, String> {
        let b = self.bytes.get(self.at..self.at + 2 * n).ok_or("the model file is truncated")?;
        self.at += 2 * n;
        Ok(b.chunks_exact(2).map(|p| f16_to_f32(u16::from_le_bytes([p[0], p[1]]))).collect())
    }
}

/// Output size and leading padding of a convolution or pool along one axis (TFLite's SAME/VALID).
pub(crate) fn conv_geometry(input: usize, k: usize, stride: usize, same: bool) -> (usize, usize) {
    if same {
        let out = input.div_ceil(stride);
        let total = ((out - 1) * stride + k).saturating_sub(input);
        (out, total / 2)
    } else {
        ((input.saturating_sub(k)) / stride + 1, 0)
    }
}

/// Where a model's weights come from: the ones handed over at run time ([`ModelSlot::install`]:
/// the page loads them lazily), else the ones embedded in the binary (parsed once, on first
/// use; empty in builds without them). `check` parses a weight file and checks it is this model.
/// Declares a model module's weights and its `install_model`: `WEIGHTS`, the weight file
/// `models/<file>` embedded under the cargo feature `<feature>` (on by default; the page builds
/// without it and hands the bytes over in its worker), `SLOT`, a [`ModelSlot`] checking them
/// with `<parse>`, and `pub fn install_model`.
macro_rules! model_slot {
    ($feature:literal, $file:literal, $parse:path) => {
        #[doc = concat!("The weights in the binary (`models/", $file, "`, feature `", $feature, "`, on by default).")]
        #[cfg(feature = $feature)]
        static WEIGHTS: &[u8] = include_bytes!(concat!("../models/", $file));
        #[cfg(not(feature = $feature))]
        static WEIGHTS: &[u8] = &[];

        static SLOT: $crate::nn::ModelSlot = $crate::nn::ModelSlot::new(WEIGHTS, $parse);

        #[doc = concat!("Installs the model from a weight file's bytes (`models/", $file, "`), for builds without the")]
        /// embedded weights. Err if the bytes are not a valid model; a second call changes nothing.
        pub fn install_model(bytes: &[u8]) -> Result<(), String> {
            SLOT.install(bytes)
        }
    };
}
pub(crate) use model_slot;

pub struct ModelSlot {
    embedded_weights: &'static [u8],
    check: fn(&[u8]) -> Result<Model, String>,
    installed: std::sync::OnceLock<Model>,
    embedded: std::sync::OnceLock<Option<Model>>,
}

impl ModelSlot {
    pub const fn new(embedded_weights: &'static [u8], check: fn(&[u8]) -> Result<Model, String>) -> Self {
        Self { embedded_weights, check, installed: std::sync::OnceLock::new(), embedded: std::sync::OnceLock::new() }
    }

    /// Installs the model from a weight file's bytes. Err if they are not this model; a second
    /// call changes nothing.
    pub fn install(&self, bytes: &[u8]) -> Result<(), String> {
        let model = (self.check)(bytes)?;
        let _ = self.installed.set(model);
        Ok(())
    }

    /// The installed model, else the embedded one; None in a build without embedded weights
    /// before [`ModelSlot::install`].
    pub fn get(&self) -> Option<&Model> {
        self.installed.get().or_else(|| self.embedded.get_or_init(|| (self.check)(self.embedded_weights).ok()).as_ref())
    }
}

impl Model {
    /// Parses a weight file written by `scripts/face-model`, checking every shape against the ops.
    /// The caller checks the input's and the outputs' shapes ([`Model::input_shape`],
    /// [`Model::output_shapes`]).
    pub fn parse(bytes: &[u8]) -> Result<Model, String> {
        if bytes.get(..8) != Some(b"SMPNN\x01\x00\x00".as_slice()) {
            return Err("not a model file (bad magic)".into());
        }
        let mut r = Reader { bytes, at: 8 };
        let n_tensors = r.usize()?;
        if n_tensors == 0 || n_tensors > 10_000 {
            return Err("bad tensor count".into());
        }
        let mut shapes = Vec::with_capacity(n_tensors);
        for _ in 0..n_tensors {
            let s = [r.usize()?, r.usize()?, r.usize()?];
            // At most 2^22 values per tensor (16 MB): BlazeFace's largest has 114,688, the selfie
            // model's 262,144.
            if s.iter().any(|&d| d == 0 || d > 4096) || s[0] * s[1] > 1 << 22 || s[0] * s[1] * s[2] > 1 << 22 {
                return Err(format!("bad tensor shape {s:?}"));
            }
            shapes.push(s);
        }
        let id = |t: usize| if t < n_tensors { Ok(t) } else { Err(format!("tensor id {t} out of range")) };
        let n_outputs = r.usize()?;
        if n_outputs == 0 || n_outputs > 16 {
            return Err("bad output count".into());
        }
        let outputs = (0..n_outputs).map(|_| id(r.usize()?)).collect::<Result<Vec<_>, _>>()?;
        let n_ops = r.usize()?;
        if n_ops > 10_000 {
            return Err("bad op count".into());
        }
        let mut ops = Vec::with_capacity(n_ops);
        let size = |t: usize| shapes[t].iter().product::<usize>();
        for _ in 0..n_ops {
            let kind = r.u32()?;
            let op = match kind {
                1 | 2 => {
                    let (input, output) = (id(r.usize()?)?, id(r.usize()?)?);
                    let (kh, kw, stride, pad, act) = (r.usize()?, r.usize()?, r.usize()?, r.u32()?, r.u32()?);
                    if kh == 0 || kw == 0 || kh > 16 || kw > 16 || stride == 0 || stride > 4 || pad > 1 || act > 1 {
                        return Err("bad convolution parameters".into());
                    }
                    let (same, relu) = (pad == 0, act == 1);
                    let [ih, iw, ic] = shapes[input];
                    let [oh, ow, oc] = shapes[output];
                    if conv_geometry(ih, kh, stride, same).0 != oh || conv_geometry(iw, kw, stride, same).0 != ow {
                        return Err("convolution output size mismatch".into());
                    }
                    let depthwise = kind == 2;
                    if depthwise && ic != oc {
                        return Err("depthwise channel mismatch".into());
                    }
                    let w = r.f16s(if depthwise { kh * kw * ic } else { oc * kh * kw * ic })?;
                    let b = r.f16s(oc)?;
                    let wt = if depthwise { Vec::new() } else { transpose(&w, oc, kh * kw * ic) };
                    Op::Conv { input, output, depthwise, kernel: Kernel { kh, kw, stride, same, relu, w, wt, b } }
                }
                3 => {
                    let (a, b, output, act) = (id(r.usize()?)?, id(r.usize()?)?, id(r.usize()?)?, r.u32()?);
                    if shapes[a] != shapes[b] || shapes[a] != shapes[output] || act > 1 {
                        return Err("bad add".into());
                    }
                    Op::Add { a, b, output, relu: act == 1 }
                }
                4 => {
                    let (input, output) = (id(r.usize()?)?, id(r.usize()?)?);
                    if shapes[input] != shapes[output] {
                        return Err("bad relu".into());
                    }
                    Op::Relu { input, output }
                }
                5 => {
                    let (input, output) = (id(r.usize()?)?, id(r.usize()?)?);
                    let (kh, kw, stride, pad) = (r.usize()?, r.usize()?, r.usize()?, r.u32()?);
                    if kh == 0 || kw == 0 || stride == 0 || stride > 4 || pad > 1 {
                        return Err("bad pool parameters".into());
                    }
                    let [ih, iw, ic] = shapes[input];
                    let same = pad == 0;
                    if [conv_geometry(ih, kh, stride, same).0, conv_geometry(iw, kw, stride, same).0, ic]
                        != shapes[output]
                    {
                        return Err("pool output size mismatch".into());
                    }
                    Op::Pool { input, output, kh, kw, stride, same, kind: Pool::Max }
                }
                6 => {
                    let (input, output) = (id(r.usize()?)?, id(r.usize()?)?);
                    let mut pads = [0usize; 6];
                    for p in pads.iter_mut() {
                        *p = r.usize()?;
                        if *p > 4096 {
                            return Err("bad padding".into());
                        }
                    }
                    let [ih, iw, ic] = shapes[input];
                    if [ih + pads[0] + pads[1], iw + pads[2] + pads[3], ic + pads[4] + pads[5]] != shapes[output] {
                        return Err("pad output size mismatch".into());
                    }
                    Op::Pad { input, output, pads }
                }
                7 => {
                    let (input, output) = (id(r.usize()?)?, id(r.usize()?)?);
                    if size(input) != size(output) {
                        return Err("reshape size mismatch".into());
                    }
                    Op::Reshape { input, output }
                }
                8 => {
                    let n = r.usize()?;
                    if n == 0 || n > 64 {
                        return Err("bad concatenation".into());
                    }
                    let inputs = (0..n).map(|_| id(r.usize()?)).collect::<Result<Vec<_>, _>>()?;
                    let output = id(r.usize()?)?;
                    if inputs.iter().map(|&t| size(t)).sum::<usize>() != size(output) {
                        return Err("concatenation size mismatch".into());
                    }
                    Op::Concat { inputs, output }
                }
                9 | 10 => {
                    let (input, output) = (id(r.usize()?)?, id(r.usize()?)?);
                    if shapes[input] != shapes[output] {
                        return Err("bad activation".into());
                    }
                    if kind == 9 {
                        Op::HardSwish { input, output }
                    } else {
                        Op::Logistic { input, output }
                    }
                }
                11 => {
                    let (a, b, output, act) = (id(r.usize()?)?, id(r.usize()?)?, id(r.usize()?)?, r.u32()?);
                    let [h, w, c] = shapes[a];
                    if shapes[output] != shapes[a] || (shapes[b] != shapes[a] && shapes[b] != [1, 1, c]) || act > 1 {
                        return Err(format!("bad mul {h}x{w}x{c}"));
                    }
                    Op::Mul { a, b, output, relu: act == 1 }
                }
                12 => {
                    let (input, output) = (id(r.usize()?)?, id(r.usize()?)?);
                    let (kh, kw, stride, pad) = (r.usize()?, r.usize()?, r.usize()?, r.u32()?);
                    if kh == 0 || kw == 0 || kh > 4096 || kw > 4096 || stride == 0 || stride > 4096 || pad > 1 {
                        return Err("bad pool parameters".into());
                    }
                    let [ih, iw, ic] = shapes[input];
                    let same = pad == 0;
                    if (!same && (kh > ih || kw > iw))
                        || [conv_geometry(ih, kh, stride, same).0, conv_geometry(iw, kw, stride, same).0, ic]
                            != shapes[output]
                    {
                        return Err("pool output size mismatch".into());
                    }
                    Op::Pool { input, output, kh, kw, stride, same, kind: Pool::Average }
                }
                13 => {
                    let (input, output) = (id(r.usize()?)?, id(r.usize()?)?);
                    let (align_corners, half_pixel) = (r.u32()?, r.u32()?);
                    if align_corners > 1 || half_pixel > 1 || shapes[input][2] != shapes[output][2] {
                        return Err("bad resize".into());
                    }
                    Op::ResizeBilinear { input, output, align_corners: align_corners == 1, half_pixel: half_pixel == 1 }
                }
                14 => {
                    let (input, output) = (id(r.usize()?)?, id(r.usize()?)?);
                    let (kh, kw, stride, pad) = (r.usize()?, r.usize()?, r.usize()?, r.u32()?);
                    if kh == 0 || kw == 0 || kh > 16 || kw > 16 || stride == 0 || stride > 4 || pad > 1 {
                        return Err("bad transposed convolution parameters".into());
                    }
                    let [ih, iw, ic] = shapes[input];
                    let [oh, ow, oc] = shapes[output];
                    // TFLite's output size: SAME in * stride, VALID (in - 1) * stride + k.
                    let size = |n: usize, k: usize| if pad == 0 { n * stride } else { (n - 1) * stride + k };
                    if size(ih, kh) != oh || size(iw, kw) != ow {
                        return Err("transposed convolution output size mismatch".into());
                    }
                    let w = r.f16s(oc * kh * kw * ic)?;
                    let b = r.f16s(oc)?;
                    Op::Deconv {
                        input,
                        output,
                        kernel: Kernel { kh, kw, stride, same: pad == 0, relu: false, w, wt: Vec::new(), b },
                    }
                }
                15 => {
                    let (input, output) = (id(r.usize()?)?, id(r.usize()?)?);
                    if shapes[input] != shapes[output] {
                        return Err("bad prelu".into());
                    }
                    let alpha = r.f16s(shapes[input][2])?;
                    Op::Prelu { input, output, alpha }
                }
                k => return Err(format!("unknown op kind {k}")),
            };
            ops.push(op);
        }
        if r.at != bytes.len() {
            return Err("trailing bytes after the ops".into());
        }
        // Every op reads tensors written before it (the input is tensor 0).
        let mut ready = vec![false; n_tensors];
        ready[0] = true;
        for op in &ops {
            let (ins, out) = (op.inputs(), op.output());
            if ins.iter().any(|&t| !ready[t]) {
                return Err("an op reads a tensor before it is written".into());
            }
            ready[out] = true;
        }
        if outputs.iter().any(|&t| !ready[t]) {
            return Err("the outputs are never written".into());
        }
        Ok(Model { shapes, outputs, ops })
    }

    /// The input tensor's shape (h, w, c).
    /// [`Model::parse`], then checks the input's and the outputs' shapes are `input` and
    /// `outputs` (the model the caller expects, not just any model file).
    pub fn parse_expecting(bytes: &[u8], input: [usize; 3], outputs: &[[usize; 3]]) -> Result<Model, String> {
        let model = Model::parse(bytes)?;
        if model.input_shape() != input {
            return Err(format!("input shape {:?}, expected {input:?}", model.input_shape()));
        }
        if model.output_shapes() != outputs {
            return Err(format!("output shapes {:?}, expected {outputs:?}", model.output_shapes()));
        }
        Ok(model)
    }

    pub fn input_shape(&self) -> [usize; 3] {
        self.shapes[0]
    }

    /// The output tensors' shapes (h, w, c), in the file's order.
    pub fn output_shapes(&self) -> Vec<[usize; 3]> {
        self.outputs.iter().map(|&t| self.shapes[t]).collect()
    }

    /// Ops in the model (DEQUANTIZE folded away).
    pub fn op_count(&self) -> usize {
        self.ops.len()
    }

    /// Runs the network on an input tensor (HWC, [`Model::input_shape`]); returns the outputs
    /// in the file's order. None if `input` has the wrong number of values.
    pub fn run(&self, input: &[f32]) -> Option<Vec<Vec<f32>>> {
        if input.len() != self.shapes[0].iter().product::<usize>() {
            return None;
        }
        // Each tensor is dropped after its last reader (the selfie model's 128x128x16 tensors
        // are 1 MB each).
        let mut last_use = vec![0usize; self.shapes.len()];
        for (i, op) in self.ops.iter().enumerate() {
            for t in op.inputs() {
                last_use[t] = i;
            }
        }
        for &t in &self.outputs {
            last_use[t] = usize::MAX;
        }
        let mut t: Vec<Vec<f32>> = vec![Vec::new(); self.shapes.len()];
        t[0] = input.to_vec();
        for (i, op) in self.ops.iter().enumerate() {
            // The buffer of a tensor this op reads for the last time (not a model output), else
            // a copy: element-wise ops then write their output over it.
            let own = |t: &mut Vec<Vec<f32>>, x: usize| {
                if last_use[x] == i {
                    std::mem::take(&mut t[x])
                } else {
                    t[x].clone()
                }
            };
            match op {
                Op::Conv { input, output, depthwise: dw, kernel } => {
                    let layer = if *dw { depthwise } else { conv };
                    t[*output] = layer(&t[*input], self.shapes[*input], self.shapes[*output], kernel);
                }
                Op::Add { a, b, output, relu } if a != b => {
                    let mut out = own(&mut t, *a);
                    for (x, y) in out.iter_mut().zip(&t[*b]) {
                        *x = if *relu { max0(*x + y) } else { *x + y };
                    }
                    t[*output] = out;
                }
                Op::Add { a, b, output, relu } => {
                    let out = t[*a].iter().zip(&t[*b]).map(|(x, y)| if *relu { max0(x + y) } else { x + y }).collect();
                    t[*output] = out;
                }
                Op::Relu { input, output } => {
                    let mut out = own(&mut t, *input);
                    out.iter_mut().for_each(|v| *v = max0(*v));
                    t[*output] = out;
                }
                Op::Pool { input, output, kh, kw, stride, same, kind } => {
                    let out =
                        pool(&t[*input], self.shapes[*input], self.shapes[*output], *kh, *kw, *stride, *same, *kind);
                    t[*output] = out;
                }
                Op::Pad { input, output, pads } => {
                    let out = pad(&t[*input], self.shapes[*input], self.shapes[*output], pads);
                    t[*output] = out;
                }
                Op::Reshape { input, output } => {
                    t[*output] = own(&mut t, *input);
                }
                Op::Concat { inputs, output } => {
                    let out = inputs.iter().flat_map(|&i| t[i].iter().copied()).collect();
                    t[*output] = out;
                }
                Op::HardSwish { input, output } => {
                    let mut out = own(&mut t, *input);
                    out.iter_mut().for_each(|v| *v = *v * (*v + 3.0).clamp(0.0, 6.0) / 6.0);
                    t[*output] = out;
                }
                Op::Logistic { input, output } => {
                    let out = t[*input].iter().map(|&v| 1.0 / (1.0 + (-v).exp())).collect();
                    t[*output] = out;
                }
                Op::Mul { a, b, output, relu } => {
                    let (xa, xb) = (&t[*a], &t[*b]);
                    let mut out = vec![0f32; xa.len()];
                    // `b` is a's shape or one factor per channel (parse checked which).
                    let c = if xb.len() == xa.len() { xa.len() } else { xb.len() };
                    for (o, x) in out.chunks_exact_mut(c).zip(xa.chunks_exact(c)) {
                        for ((o, x), y) in o.iter_mut().zip(x).zip(xb) {
                            *o = if *relu { max0(x * y) } else { x * y };
                        }
                    }
                    t[*output] = out;
                }
                Op::ResizeBilinear { input, output, align_corners, half_pixel } => {
                    let out = resize_bilinear(
                        &t[*input],
                        self.shapes[*input],
                        self.shapes[*output],
                        *align_corners,
                        *half_pixel,
                    );
                    t[*output] = out;
                }
                Op::Deconv { input, output, kernel } => {
                    t[*output] = deconv(&t[*input], self.shapes[*input], self.shapes[*output], kernel);
                }
                Op::Prelu { input, output, alpha } => {
                    t[*output] = prelu(&t[*input], alpha);
                }
            }
            for r in op.inputs() {
                if last_use[r] == i {
                    t[r] = Vec::new();
                }
            }
        }
        Some(self.outputs.iter().map(|&o| std::mem::take(&mut t[o])).collect())
    }
}

impl Op {
    /// The tensors the op reads.
    fn inputs(&self) -> Vec<usize> {
        match self {
            Op::Conv { input, .. }
            | Op::Relu { input, .. }
            | Op::Pool { input, .. }
            | Op::Pad { input, .. }
            | Op::Reshape { input, .. }
            | Op::HardSwish { input, .. }
            | Op::Logistic { input, .. }
            | Op::ResizeBilinear { input, .. }
            | Op::Deconv { input, .. }
            | Op::Prelu { input, .. } => vec![*input],
            Op::Add { a, b, .. } | Op::Mul { a, b, .. } => vec![*a, *b],
            Op::Concat { inputs, .. } => inputs.clone(),
        }
    }

    fn output(&self) -> usize {
        match self {
            Op::Conv { output, .. }
            | Op::Relu { output, .. }
            | Op::Pool { output, .. }
            | Op::Pad { output, .. }
            | Op::Reshape { output, .. }
            | Op::HardSwish { output, .. }
            | Op::Logistic { output, .. }
            | Op::ResizeBilinear { output, .. }
            | Op::Deconv { output, .. }
            | Op::Prelu { output, .. }
            | Op::Add { output, .. }
            | Op::Mul { output, .. }
            | Op::Concat { output, .. } => *output,
        }
    }
}

/// `v.max(0.0)` as a compare and select: in wasm `f32::max` is a call to libm's `fmaxf`. The
/// same value (NaN gives 0 too) up to the sign of a zero result, which no later op can tell.
#[inline(always)]
fn max0(v: f32) -> f32 {
    if v > 0.0 {
        v
    } else {
        0.0
    }
}

/// A dot product in eight lanes (vectorises; the order differs from TFLite's only in rounding).
#[inline]
fn dot(a: &[f32], b: &[f32]) -> f32 {
    let mut lanes = [0f32; 8];
    let (ca, cb) = (a.chunks_exact(8), b.chunks_exact(8));
    let (ra, rb) = (ca.remainder(), cb.remainder());
    for (x, y) in ca.zip(cb) {
        for k in 0..8 {
            lanes[k] += x[k] * y[k];
        }
    }
    let mut s: f32 = ra.iter().zip(rb).map(|(x, y)| x * y).sum();
    for v in lanes {
        s += v;
    }
    s
}

/// `m` (`rows` × `cols`, row-major) transposed: `cols` × `rows`.
fn transpose(m: &[f32], rows: usize, cols: usize) -> Vec<f32> {
    let mut t = vec![0f32; m.len()];
    for (r, row) in m.chunks_exact(cols).enumerate() {
        for (c, &v) in row.iter().enumerate() {
            t[c * rows + r] = v;
        }
    }
    t
}

/// `out[p][n] = b[n] + Σ_i x[p][i] · w[n][i]` (then max(0) if `relu`) for `x`: P × k,
/// `w`: N × k, `out`: P × N (all row-major); `wt` is `w` transposed (k × N). Blocks of 4 rows ×
/// 8 (or 4) outputs keep their sums in registers and read the block's weights for one input
/// value side by side in `wt`: each loaded value serves several multiply-adds, and 8 outputs
/// are two 4-lane vectors ([`WIDE_BLOCKS`]). Every sum runs over i in order from 0 and adds the
/// bias last (the outputs left over, N mod 4, and rows left over use [`dot`]).
fn gemm(x: &[f32], k: usize, w: &[f32], wt: &[f32], b: &[f32], relu: bool, out: &mut [f32]) {
    let n_out = b.len();
    let rows = x.len() / k;
    let act = |v: f32| if relu { max0(v) } else { v };
    let mut p = 0;
    while p + 4 <= rows {
        let xs = [&x[p * k..][..k], &x[(p + 1) * k..][..k], &x[(p + 2) * k..][..k], &x[(p + 3) * k..][..k]];
        let rows_out = &mut out[p * n_out..(p + 4) * n_out];
        let mut n = 0;
        while WIDE_BLOCKS && n + 8 <= n_out {
            let acc = gemm_block::<8>(xs, wt, n_out, n);
            store_block(&acc, rows_out, n_out, n, &b[n..n + 8], act);
            n += 8;
        }
        while n + 4 <= n_out {
            let acc = gemm_block::<4>(xs, wt, n_out, n);
            store_block(&acc, rows_out, n_out, n, &b[n..n + 4], act);
            n += 4;
        }
        for n in n..n_out {
            for (r, xr) in xs.iter().enumerate() {
                rows_out[r * n_out + n] = act(b[n] + dot(xr, &w[n * k..][..k]));
            }
        }
        p += 4;
    }
    for p in p..rows {
        for n in 0..n_out {
            out[p * n_out + n] = act(b[n] + dot(&x[p * k..][..k], &w[n * k..][..k]));
        }
    }
}

/// Blocks of 8 outputs where 4-lane vectors hold them (wasm SIMD, x86-64, ARM64); 4 in the
/// baseline wasm, whose 32 scalar sums would not stay in registers.
const WIDE_BLOCKS: bool = cfg!(any(target_feature = "simd128", target_arch = "x86_64", target_arch = "aarch64"));

/// The sums `Σ_i xs[r][i] · wt[i][n + c]` for 4 rows r and `N` outputs c, i in order.
#[inline(always)]
fn gemm_block<const N: usize>(xs: [&[f32]; 4], wt: &[f32], n_out: usize, n: usize) -> [[f32; N]; 4] {
    let mut acc = [[0f32; N]; 4];
    let [x0, x1, x2, x3] = xs;
    let rows = wt.chunks_exact(n_out).zip(x0).zip(x1).zip(x2).zip(x3);
    for ((((w_row, &a), &b), &c), &d) in rows {
        let ws: &[f32; N] = w_row[n..n + N].try_into().expect("N outputs");
        let xv = [a, b, c, d];
        for r in 0..4 {
            for c in 0..N {
                acc[r][c] += xv[r] * ws[c];
            }
        }
    }
    acc
}

#[inline(always)]
fn store_block<const N: usize>(
    acc: &[[f32; N]; 4],
    rows_out: &mut [f32],
    n_out: usize,
    n: usize,
    b: &[f32],
    act: impl Fn(f32) -> f32,
) {
    for (r, sums) in acc.iter().enumerate() {
        for ((o, s), b) in rows_out[r * n_out + n..][..N].iter_mut().zip(sums).zip(b) {
            *o = act(b + s);
        }
    }
}

fn conv(x: &[f32], [ih, iw, ic]: [usize; 3], [oh, ow, oc]: [usize; 3], kernel: &Kernel) -> Vec<f32> {
    let Kernel { kh, kw, stride, same, relu, ref w, ref wt, ref b } = *kernel;
    let mut out = vec![0f32; oh * ow * oc];
    if kh == 1 && kw == 1 && stride == 1 {
        // A 1x1 convolution is a matrix product over the pixels.
        gemm(x, ic, w, wt, b, relu, &mut out);
    } else {
        // Gather the output pixels' patches (zeros outside the input) a few rows of the matrix
        // at a time (they stay in the cache), each followed by its part of the matrix product.
        let (_, pad_y) = conv_geometry(ih, kh, stride, same);
        let (_, pad_x) = conv_geometry(iw, kw, stride, same);
        let k = kh * kw * ic;
        const CHUNK_PX: usize = 64;
        let mut patches = vec![0f32; CHUNK_PX * k];
        for (chunk, out) in out.chunks_mut(CHUNK_PX * oc).enumerate() {
            let first = chunk * CHUNK_PX;
            let count = out.len() / oc;
            let patches = &mut patches[..count * k];
            patches.fill(0.0);
            for (p, patch) in patches.chunks_exact_mut(k).enumerate() {
                let (oy, ox) = ((first + p) / ow, (first + p) % ow);
                // The window's columns inside the input: kx in kx0..kx1.
                let x0 = (ox * stride) as isize - pad_x as isize;
                let kx0 = (-x0).max(0) as usize;
                let kx1 = ((iw as isize - x0).max(0) as usize).min(kw);
                if kx0 >= kx1 {
                    continue;
                }
                for ky in 0..kh {
                    let y = (oy * stride + ky) as isize - pad_y as isize;
                    if y < 0 || y as usize >= ih {
                        continue;
                    }
                    let s = (y as usize * iw + (x0 + kx0 as isize) as usize) * ic;
                    patch[(ky * kw + kx0) * ic..(ky * kw + kx1) * ic].copy_from_slice(&x[s..s + (kx1 - kx0) * ic]);
                }
            }
            gemm(patches, k, w, wt, b, relu, out);
        }
    }
    out
}

fn depthwise(x: &[f32], [ih, iw, c]: [usize; 3], [oh, ow, _]: [usize; 3], kernel: &Kernel) -> Vec<f32> {
    let Kernel { kh, kw, stride, same, relu, ref w, ref b, .. } = *kernel;
    let (_, pad_y) = conv_geometry(ih, kh, stride, same);
    let (_, pad_x) = conv_geometry(iw, kw, stride, same);
    let mut out = vec![0f32; oh * ow * c];
    for (oy, out_row) in out.chunks_exact_mut(ow * c).enumerate() {
        for o in out_row.chunks_exact_mut(c) {
            o.copy_from_slice(b);
        }
        // One output row at a time, tap by tap (ky, then kx): every output value still takes
        // its taps in that order, the bias first.
        for ky in 0..kh {
            let y = (oy * stride + ky) as isize - pad_y as isize;
            if y < 0 || y as usize >= ih {
                continue;
            }
            let in_row = &x[y as usize * iw * c..][..iw * c];
            for kx in 0..kw {
                let k = &w[(ky * kw + kx) * c..][..c];
                // The output columns whose tap falls inside the input: ox in ox0..ox1.
                let shift = kx as isize - pad_x as isize;
                let ox0 = ((-shift).max(0) as usize).div_ceil(stride);
                let ox1 = (((iw as isize - shift).max(0) as usize).div_ceil(stride)).min(ow);
                for ox in ox0..ox1 {
                    let xx = (ox * stride) as isize + shift;
                    let s = &in_row[xx as usize * c..][..c];
                    for ((v, s), k) in out_row[ox * c..][..c].iter_mut().zip(s).zip(k) {
                        *v += s * k;
                    }
                }
            }
        }
        if relu {
            out_row.iter_mut().for_each(|v| *v = max0(*v));
        }
    }
    out
}

fn pad(x: &[f32], [ih, iw, ic]: [usize; 3], [oh, ow, oc]: [usize; 3], p: &[usize; 6]) -> Vec<f32> {
    let mut out = vec![0f32; oh * ow * oc];
    for y in 0..ih {
        for xx in 0..iw {
            let d = ((y + p[0]) * ow + xx + p[2]) * oc + p[4];
            out[d..d + ic].copy_from_slice(&x[(y * iw + xx) * ic..(y * iw + xx + 1) * ic]);
        }
    }
    out
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Pool {
    Max,
    /// The mean over each window's px that fall inside the input (TFLite's AVERAGE_POOL_2D: SAME
    /// padding does not count the padding).
    Average,
}

/// MAX_POOL_2D / AVERAGE_POOL_2D over the window's px inside the input.
#[allow(clippy::too_many_arguments)]
fn pool(
    x: &[f32],
    [ih, iw, c]: [usize; 3],
    [oh, ow, _]: [usize; 3],
    kh: usize,
    kw: usize,
    stride: usize,
    same: bool,
    kind: Pool,
) -> Vec<f32> {
    let (_, pad_y) = conv_geometry(ih, kh, stride, same);
    let (_, pad_x) = conv_geometry(iw, kw, stride, same);
    let start = if kind == Pool::Max { f32::NEG_INFINITY } else { 0.0 };
    let mut out = vec![start; oh * ow * c];
    for oy in 0..oh {
        let y0 = (oy * stride) as isize - pad_y as isize;
        let (ya, yb) = (y0.max(0) as usize, ((y0 + kh as isize).max(0) as usize).min(ih));
        for ox in 0..ow {
            let x0 = (ox * stride) as isize - pad_x as isize;
            let (xa, xb) = (x0.max(0) as usize, ((x0 + kw as isize).max(0) as usize).min(iw));
            let o = &mut out[(oy * ow + ox) * c..][..c];
            for y in ya..yb {
                for xx in xa..xb {
                    let s = &x[(y * iw + xx) * c..][..c];
                    match kind {
                        Pool::Max => o.iter_mut().zip(s).for_each(|(v, &s)| {
                            // `v.max(s)` without wasm's libm call (`v` is never NaN).
                            if s > *v {
                                *v = s;
                            }
                        }),
                        Pool::Average => o.iter_mut().zip(s).for_each(|(v, s)| *v += s),
                    }
                }
            }
            if kind == Pool::Average {
                let n = ((yb.saturating_sub(ya)) * (xb.saturating_sub(xa))).max(1) as f32;
                o.iter_mut().for_each(|v| *v /= n);
            }
        }
    }
    out
}

/// TFLite's RESIZE_BILINEAR (reference kernel): source position `(d + 0.5) * scale - 0.5` with
/// half-pixel centres (`d * scale` without; `scale` = (in - 1) / (out - 1) with aligned corners),
/// the lower neighbour clamped at 0, the upper one at the last px.
fn resize_bilinear(
    x: &[f32],
    [ih, iw, c]: [usize; 3],
    [oh, ow, _]: [usize; 3],
    align_corners: bool,
    half_pixel: bool,
) -> Vec<f32> {
    let scale = |i: usize, o: usize| {
        if align_corners && o > 1 {
            (i - 1) as f32 / (o - 1) as f32
        } else {
            i as f32 / o as f32
        }
    };
    // Per output coordinate: the two source indices and the upper one's weight.
    let taps = |i: usize, o: usize| -> Vec<(usize, usize, f32)> {
        let s = scale(i, o);
        (0..o)
            .map(|d| {
                let src = if half_pixel { (d as f32 + 0.5) * s - 0.5 } else { d as f32 * s };
                let lo = src.floor();
                let a = (lo.max(0.0) as usize).min(i - 1);
                let b = ((lo + 1.0).max(0.0) as usize).min(i - 1);
                (a, b, src - lo)
            })
            .collect()
    };
    let (ty, tx) = (taps(ih, oh), taps(iw, ow));
    let mut out = vec![0f32; oh * ow * c];
    for (oy, &(y0, y1, fy)) in ty.iter().enumerate() {
        for (ox, &(x0, x1, fx)) in tx.iter().enumerate() {
            let o = &mut out[(oy * ow + ox) * c..][..c];
            let (a, b) = (&x[(y0 * iw + x0) * c..][..c], &x[(y0 * iw + x1) * c..][..c]);
            let (d, e) = (&x[(y1 * iw + x0) * c..][..c], &x[(y1 * iw + x1) * c..][..c]);
            for k in 0..c {
                let top = a[k] + (b[k] - a[k]) * fx;
                let bottom = d[k] + (e[k] - d[k]) * fx;
                o[k] = top + (bottom - top) * fy;
            }
        }
    }
    out
}

/// A transposed convolution plus bias: every input px adds its kernel-weighted values into a
/// kh x kw window of the output at (y * stride - pad, x * stride - pad).
fn deconv(x: &[f32], [ih, iw, ic]: [usize; 3], [oh, ow, oc]: [usize; 3], kernel: &Kernel) -> Vec<f32> {
    let Kernel { kh, kw, stride, same, ref w, ref b, .. } = *kernel;
    // TFLite's padding for a transposed convolution: total = (in - 1) * stride + k - out.
    let pad = |i: usize, k: usize, o: usize| if same { ((i - 1) * stride + k).saturating_sub(o) / 2 } else { 0 };
    let (pad_y, pad_x) = (pad(ih, kh, oh), pad(iw, kw, ow));
    let mut out = vec![0f32; oh * ow * oc];
    for o in out.chunks_exact_mut(oc) {
        o.copy_from_slice(b);
    }
    for y in 0..ih {
        for xx in 0..iw {
            let s = &x[(y * iw + xx) * ic..][..ic];
            for ky in 0..kh {
                let Some(dy) = (y * stride + ky).checked_sub(pad_y).filter(|&d| d < oh) else { continue };
                for kx in 0..kw {
                    let Some(dx) = (xx * stride + kx).checked_sub(pad_x).filter(|&d| d < ow) else { continue };
                    let o = &mut out[(dy * ow + dx) * oc..][..oc];
                    for (n, v) in o.iter_mut().enumerate() {
                        *v += dot(s, &w[((n * kh + ky) * kw + kx) * ic..][..ic]);
                    }
                }
            }
        }
    }
    out
}

/// A parametric ReLU over an HWC tensor: `x` where `x >= 0`, else `alpha[c] · x`, `alpha` one
/// slope per channel (TFLite's PRELU with a 1 x 1 x c alpha).
fn prelu(x: &[f32], alpha: &[f32]) -> Vec<f32> {
    let mut out = x.to_vec();
    if alpha.is_empty() {
        return out;
    }
    for px in out.chunks_mut(alpha.len()) {
        for (v, a) in px.iter_mut().zip(alpha) {
            if *v < 0.0 {
                *v *= a;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn half_floats_convert_exactly() {
        assert_eq!(f16_to_f32(0x3c00), 1.0);
        assert_eq!(f16_to_f32(0xc000), -2.0);
        assert_eq!(f16_to_f32(0x3555), 0.333_251_95);
        assert_eq!(f16_to_f32(0x0001), 5.960_464_5e-8); // the smallest subnormal
        assert_eq!(f16_to_f32(0x03ff), 6.097_555e-5); // the largest subnormal
        assert_eq!(f16_to_f32(0x7bff), 65504.0);
        assert!(f16_to_f32(0x7c00).is_infinite());
        assert_eq!(f16_to_f32(0x8000).to_bits(), 0x8000_0000);
    }

    #[test]
    fn same_padding_matches_tflite() {
        // 128 -> 64 with a 5x5 kernel at stride 2: 3 padding px, 1 before, 2 after.
        assert_eq!(conv_geometry(128, 5, 2, true), (64, 1));
        // 64 -> 32, 3x3 at stride 2: 1 px after only.
        assert_eq!(conv_geometry(64, 3, 2, true), (32, 0));
        assert_eq!(conv_geometry(64, 3, 1, true), (64, 1));
        assert_eq!(conv_geometry(64, 2, 2, false), (32, 0));
    }

    #[test]
    fn resize_bilinear_with_half_pixel_centres_matches_tflite() {
        // 2 px -> 4 px (one channel): sources -0.25, 0.25, 0.75, 1.25, clamped at the ends.
        let out = resize_bilinear(&[0.0, 4.0], [1, 2, 1], [1, 4, 1], false, true);
        assert_eq!(out, vec![0.0, 1.0, 3.0, 4.0]);
        // Aligned corners: the ends map onto the ends.
        let out = resize_bilinear(&[0.0, 4.0], [1, 2, 1], [1, 3, 1], true, false);
        assert_eq!(out, vec![0.0, 2.0, 4.0]);
    }

    #[test]
    fn global_average_pool_and_transposed_convolution() {
        // 2x2x2 -> the mean per channel.
        let x = [1.0, 10.0, 2.0, 20.0, 3.0, 30.0, 4.0, 40.0];
        assert_eq!(pool(&x, [2, 2, 2], [1, 1, 2], 2, 2, 2, false, Pool::Average), vec![2.5, 25.0]);
        assert_eq!(pool(&x, [2, 2, 2], [1, 1, 2], 2, 2, 2, false, Pool::Max), vec![4.0, 40.0]);
        // A 2x2 stride-2 transposed convolution of a 1x2x2 input to 2x4x1: each input px spreads
        // its weighted sum over its own 2x2 block.
        let kernel = Kernel {
            kh: 2,
            kw: 2,
            stride: 2,
            same: true,
            relu: false,
            // [out_c = 1][ky][kx][in_c = 2]
            w: vec![1.0, 0.0, 0.0, 1.0, 1.0, 1.0, 2.0, 0.0],
            wt: Vec::new(),
            b: vec![0.5],
        };
        let out = deconv(&[1.0, 2.0, 3.0, 4.0], [1, 2, 2], [2, 4, 1], &kernel);
        // px 0 = (1, 2): block [1, 2; 3, 2]; px 1 = (3, 4): [3, 4; 7, 6]; plus the bias.
        assert_eq!(out, vec![1.5, 2.5, 3.5, 4.5, 3.5, 2.5, 7.5, 6.5]);
    }

    #[test]
    fn prelu_scales_negatives_per_channel() {
        // 2 px x 3 channels: each channel's negatives times its own slope, positives and zero kept.
        let x = [-2.0, 1.0, -4.0, 3.0, -1.0, 0.0];
        assert_eq!(prelu(&x, &[0.5, 0.25, -1.0]), vec![-1.0, 1.0, 4.0, 3.0, -0.25, 0.0]);
        // Through the parser and runner: a 1x2x3 PRELU model (kind 15, f16 slopes).
        let mut file = b"SMPNN\x01\x00\x00".to_vec();
        let u32s = |v: &[u32], f: &mut Vec<u8>| v.iter().for_each(|n| f.extend_from_slice(&n.to_le_bytes()));
        u32s(&[2, 1, 2, 3, 1, 2, 3, 1, 1, 1, 15, 0, 1], &mut file);
        for slope in [0x3800u16, 0x3400, 0xbc00] {
            file.extend_from_slice(&slope.to_le_bytes()); // 0.5, 0.25, -1.0
        }
        let model = Model::parse(&file).expect("a prelu model");
        assert_eq!(model.run(&x).expect("runs")[0], vec![-1.0, 1.0, 4.0, 3.0, -0.25, 0.0]);
        // A slope short: refused.
        assert!(Model::parse(&file[..file.len() - 2]).is_err());
    }
}
