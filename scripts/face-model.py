"""BlazeFace short-range and selfie segmentation (MediaPipe, Apache-2.0) ->
crates/smp-core/models/blazeface.bin and selfie.bin, and the comparison of our Rust inference
against MediaPipe's own face detection and selfie segmentation.

Run through scripts/face-model (it makes the venv and downloads the wheel from PyPI).

  face-model.py convert WHEEL FACE.bin SELFIE.bin LANDMARK.bin
                                            write the compact weight files
  face-model.py check WHEEL OURS.json INPUTS_DIR PHOTO...
                                            MediaPipe's detections (mediapipe.solutions.face_detection,
                                            model_selection=0) compared with ours (from
                                            examples/face_check.rs): on the same 128x128 inputs,
                                            and on the whole photos (see check())
  face-model.py reference IMAGE             MediaPipe's detections for one image, as JSON
  face-model.py check-selfie WHEEL INPUTS_DIR PHOTO...
                                            MediaPipe's selfie segmentation (model_selection=0) on
                                            our 256x256 inputs against our masks (both written by
                                            examples/selfie_check.rs), see check_selfie()
  face-model.py check-landmarks WHEEL INPUTS_DIR OURS.json
                                            MediaPipe's face-landmark model on our 192x192 face
                                            crops against our points (both from
                                            examples/landmark_check.rs), see check_landmarks()
  face-model.py landmark-reference IMAGE ID...
                                            MediaPipe's points of a 192x192 crop at the given ids
  face-model.py selfie-reference IMAGE X Y...
                                            MediaPipe's mask of a 256x256 image at the given px

The weight file (little-endian) is a list of ops over numbered activation tensors, with the
fp16 weights exactly as the .tflite stores them (its DEQUANTIZE ops are folded into the op that
uses them):

  b"SMPNN\\x01\\0\\0"
  u32 tensor count, then per tensor u32 h, w, c (the NHWC shape without the batch; tensor 0 is
      the input, 128x128x3 for BlazeFace, 256x256x3 for the selfie model; a [1, N, K] tensor is
      stored as h=1, w=N, c=K)
  u32 output count, u32 ids (BlazeFace: regressors [896x16], then scores [896x1]; selfie: the
      256x256x1 person probability)
  u32 op count, then per op u32 kind and its fields:
    1 conv     in out kh kw stride pad(0 same, 1 valid) act(0 none, 1 relu)
               f16 weights [out_c][kh][kw][in_c], f16 bias [out_c]
    2 dwconv   in out kh kw stride pad act, f16 weights [kh][kw][c], f16 bias [c]
    3 add      a b out act
    4 relu     in out
    5 maxpool  in out kh kw stride pad
    6 pad      in out, 6 x u32: h before/after, w before/after, c before/after (zeros)
    7 reshape  in out
    8 concat   n, n x in, out (along the flattened tensor: every input has batch 1 and the
               concatenation axis is the first non-batch one with a leading 1 or the whole)
  and, used by the selfie model only (BlazeFace's file is unchanged by them):
    9 hardswish in out                  x * relu6(x + 3) / 6
   10 logistic  in out                  1 / (1 + exp(-x))
   11 mul       a b out act             b is a's shape or [1, 1, c] (one factor per channel)
   12 avgpool   in out kh kw stride pad (the mean over the window's px inside the input)
   13 resize    in out align_corners half_pixel_centers (bilinear, TFLite's RESIZE_BILINEAR)
   14 deconv    in out kh kw stride pad f16 weights [out_c][kh][kw][in_c], f16 bias [out_c]
               (MediaPipe's custom Convolution2DTransposeBias: a transposed convolution + bias)
  and, used by the face-landmark model only:
   15 prelu     in out, f16 alpha [c]    x if x >= 0 else alpha[c] * x
"""

import hashlib
import io
import json
import struct
import sys
import zipfile

TFLITE_IN_WHEEL = "mediapipe/modules/face_detection/face_detection_short_range.tflite"
TFLITE_SHA256 = "bbff11cebd1eb27a1e004cae0b0e63ec8c551cbf34a4451148b4908b8db3eca8"
SELFIE_IN_WHEEL = "mediapipe/modules/selfie_segmentation/selfie_segmentation.tflite"
SELFIE_SHA256 = "9ee168ec7c8f2a16c56fe8e1cfbc514974cbbb7e434051b455635f1bd1462f5c"
LANDMARK_IN_WHEEL = "mediapipe/modules/face_landmark/face_landmark.tflite"
LANDMARK_SHA256 = "1055cb9d4a9ca8b8c688902a3a5194311138ba256bcc94e336d8373a5f30c814"


def read_tflite(wheel, member=TFLITE_IN_WHEEL, sha256=TFLITE_SHA256):
    with zipfile.ZipFile(wheel) as z:
        data = z.read(member)
    digest = hashlib.sha256(data).hexdigest()
    if digest != sha256:
        sys.exit(f"{member}: sha256 {digest}, expected {sha256}")
    return data


def convert(wheel, face_path, selfie_path, landmark_path):
    def face_outputs(shape, outputs):
        regressors = [t for t in outputs if shape(t) == [1, 896, 16]]
        scores = [t for t in outputs if shape(t) == [1, 896, 1]]
        assert len(regressors) == 1 and len(scores) == 1, [shape(t) for t in outputs]
        return [regressors[0], scores[0]]

    def selfie_outputs(shape, outputs):
        assert len(outputs) == 1 and shape(outputs[0]) == [1, 256, 256, 1], [shape(t) for t in outputs]
        return outputs

    def landmark_outputs(shape, outputs):
        points = [t for t in outputs if shape(t) == [1, 1, 1, 1404]]
        presence = [t for t in outputs if shape(t) == [1, 1, 1, 1]]
        assert len(points) == 1 and len(presence) == 1, [shape(t) for t in outputs]
        return [points[0], presence[0]]

    convert_model(read_tflite(wheel), [1, 128, 128, 3], face_outputs, face_path)
    convert_model(read_tflite(wheel, SELFIE_IN_WHEEL, SELFIE_SHA256), [1, 256, 256, 3], selfie_outputs, selfie_path)
    convert_model(read_tflite(wheel, LANDMARK_IN_WHEEL, LANDMARK_SHA256), [1, 192, 192, 3], landmark_outputs, landmark_path)


def convert_model(buf, input_shape, pick_outputs, out_path):
    """Writes the op list of the .tflite `buf` (one input of `input_shape`; `pick_outputs(shape,
    outputs)` orders and checks the outputs)."""
    import numpy as np
    import tflite

    model = tflite.Model.GetRootAsModel(buf, 0)
    graph = model.Subgraphs(0)
    names = {v: k for k, v in tflite.BuiltinOperator.__dict__.items() if not k.startswith("_")}

    def opname(op):
        code = model.OperatorCodes(op.OpcodeIndex())
        builtin = max(code.BuiltinCode(), code.DeprecatedBuiltinCode())
        if builtin == tflite.BuiltinOperator.CUSTOM:
            return "CUSTOM:" + code.CustomCode().decode()
        return names[builtin]

    def shape(t):
        return [int(d) for d in graph.Tensors(t).ShapeAsNumpy()]

    def constant(t):
        tensor = graph.Tensors(t)
        raw = model.Buffers(tensor.Buffer()).DataAsNumpy()
        dtype = {tflite.TensorType.FLOAT16: np.float16, tflite.TensorType.FLOAT32: np.float32,
                 tflite.TensorType.INT32: np.int32}[tensor.Type()]
        return raw.view(dtype).reshape(shape(t))

    # DEQUANTIZE outputs -> their fp16 source tensors.
    dequant = {}
    for i in range(graph.OperatorsLength()):
        op = graph.Operators(i)
        if opname(op) == "DEQUANTIZE":
            dequant[int(op.Outputs(0))] = int(op.Inputs(0))

    def weights(t):
        w = constant(dequant.get(t, t))
        if w.dtype != np.float16:
            sys.exit(f"tensor {t}: expected fp16 weights, got {w.dtype}")
        return w

    ids = {}

    def act_id(t):
        if t not in ids:
            s = shape(t)
            if s[0] != 1 or len(s) not in (3, 4):
                sys.exit(f"tensor {t}: unsupported shape {s}")
            hwc = s[1:] if len(s) == 4 else [1] + s[1:]
            ids[t] = (len(ids), hwc)
        return ids[t][0]

    inputs = [int(x) for x in graph.InputsAsNumpy()]
    assert len(inputs) == 1 and shape(inputs[0]) == input_shape, shape(inputs[0])
    act_id(inputs[0])
    ops = []
    activation = {0: 0, 1: 1}

    def act_code(fused):
        if fused not in activation:
            sys.exit(f"unsupported fused activation {fused}")
        return activation[fused]

    used = {}
    for i in range(graph.OperatorsLength()):
        op = graph.Operators(i)
        name = opname(op)
        used[name] = used.get(name, 0) + 1
        ins = [int(x) for x in op.InputsAsNumpy()]
        out = int(op.Outputs(0))
        opt = op.BuiltinOptions()
        if name == "DEQUANTIZE":
            continue
        if name == "CONV_2D":
            o = tflite.Conv2DOptions()
            o.Init(opt.Bytes, opt.Pos)
            assert o.StrideH() == o.StrideW() and o.DilationHFactor() == 1 and o.DilationWFactor() == 1
            w, b = weights(ins[1]), weights(ins[2])
            oc, kh, kw, ic = w.shape
            a = act_id(ins[0])
            rec = struct.pack("<8I", 1, a, act_id(out), kh, kw, o.StrideH(), o.Padding(), act_code(o.FusedActivationFunction()))
            ops.append(rec + w.astype("<f2").tobytes() + b.astype("<f2").tobytes())
        elif name == "DEPTHWISE_CONV_2D":
            o = tflite.DepthwiseConv2DOptions()
            o.Init(opt.Bytes, opt.Pos)
            assert o.StrideH() == o.StrideW() and o.DepthMultiplier() == 1 and o.DilationHFactor() == 1
            w, b = weights(ins[1]), weights(ins[2])
            _, kh, kw, c = w.shape
            rec = struct.pack("<8I", 2, act_id(ins[0]), act_id(out), kh, kw, o.StrideH(), o.Padding(), act_code(o.FusedActivationFunction()))
            ops.append(rec + w.astype("<f2").tobytes() + b.astype("<f2").tobytes())
        elif name == "ADD":
            o = tflite.AddOptions()
            o.Init(opt.Bytes, opt.Pos)
            assert shape(ins[0]) == shape(ins[1]) == shape(out)
            ops.append(struct.pack("<5I", 3, act_id(ins[0]), act_id(ins[1]), act_id(out), act_code(o.FusedActivationFunction())))
        elif name == "RELU":
            ops.append(struct.pack("<3I", 4, act_id(ins[0]), act_id(out)))
        elif name == "MAX_POOL_2D":
            o = tflite.Pool2DOptions()
            o.Init(opt.Bytes, opt.Pos)
            assert o.StrideH() == o.StrideW() and o.FusedActivationFunction() == 0
            ops.append(struct.pack("<7I", 5, act_id(ins[0]), act_id(out), o.FilterHeight(), o.FilterWidth(), o.StrideH(), o.Padding()))
        elif name == "PAD":
            p = constant(ins[1])
            assert p.shape == (4, 2) and p[0].tolist() == [0, 0], p
            ops.append(struct.pack("<9I", 6, act_id(ins[0]), act_id(out), *[int(v) for v in p[1:].flatten()]))
        elif name == "RESHAPE":
            ops.append(struct.pack("<3I", 7, act_id(ins[0]), act_id(out)))
        elif name == "CONCATENATION":
            o = tflite.ConcatenationOptions()
            o.Init(opt.Bytes, opt.Pos)
            # [1, N_i, K] along axis 1: with batch 1 the result is the inputs one after another.
            assert o.Axis() == 1 and o.FusedActivationFunction() == 0
            assert all(len(shape(t)) == 3 for t in ins + [out])
            ops.append(struct.pack(f"<{3 + len(ins)}I", 8, len(ins), *[act_id(t) for t in ins], act_id(out)))
        elif name == "HARD_SWISH":
            ops.append(struct.pack("<3I", 9, act_id(ins[0]), act_id(out)))
        elif name == "LOGISTIC":
            ops.append(struct.pack("<3I", 10, act_id(ins[0]), act_id(out)))
        elif name == "MUL":
            o = tflite.MulOptions()
            o.Init(opt.Bytes, opt.Pos)
            sa, sb = shape(ins[0]), shape(ins[1])
            assert sa == shape(out) and (sb == sa or sb == [1, 1, 1, sa[3]]), (sa, sb)
            ops.append(struct.pack("<5I", 11, act_id(ins[0]), act_id(ins[1]), act_id(out), act_code(o.FusedActivationFunction())))
        elif name == "AVERAGE_POOL_2D":
            o = tflite.Pool2DOptions()
            o.Init(opt.Bytes, opt.Pos)
            assert o.StrideH() == o.StrideW() and o.FusedActivationFunction() == 0
            ops.append(struct.pack("<7I", 12, act_id(ins[0]), act_id(out), o.FilterHeight(), o.FilterWidth(), o.StrideH(), o.Padding()))
        elif name == "RESIZE_BILINEAR":
            o = tflite.ResizeBilinearOptions()
            o.Init(opt.Bytes, opt.Pos)
            assert constant(ins[1]).tolist() == shape(out)[1:3], (constant(ins[1]), shape(out))
            ops.append(struct.pack("<5I", 13, act_id(ins[0]), act_id(out), int(o.AlignCorners()), int(o.HalfPixelCenters())))
        elif name == "CUSTOM:Convolution2DTransposeBias":
            # Custom options: TfLiteTransposeConvParams {padding (1 same, 2 valid), stride_w, stride_h}.
            pad_code, stride_w, stride_h = struct.unpack("<3i", bytes(op.CustomOptionsAsNumpy()))
            assert stride_w == stride_h and pad_code in (1, 2), (pad_code, stride_w, stride_h)
            w, b = weights(ins[1]), weights(ins[2])
            oc, kh, kw, ic = w.shape
            rec = struct.pack("<7I", 14, act_id(ins[0]), act_id(out), kh, kw, stride_w, 0 if pad_code == 1 else 1)
            ops.append(rec + w.astype("<f2").tobytes() + b.astype("<f2").tobytes())
        elif name == "PRELU":
            alpha = weights(ins[1])
            c = shape(out)[-1]
            assert shape(ins[0]) == shape(out) and alpha.shape == (1, 1, c), (shape(ins[0]), alpha.shape)
            ops.append(struct.pack("<3I", 15, act_id(ins[0]), act_id(out)) + alpha.astype("<f2").tobytes())
        else:
            sys.exit(f"unsupported op {name}")
    outputs = pick_outputs(shape, [int(x) for x in graph.OutputsAsNumpy()])
    tensors = sorted(ids.values())
    blob = io.BytesIO()
    blob.write(b"SMPNN\x01\x00\x00")
    blob.write(struct.pack("<I", len(tensors)))
    for _, hwc in tensors:
        blob.write(struct.pack("<3I", *hwc))
    blob.write(struct.pack(f"<{1 + len(outputs)}I", len(outputs), *[act_id(t) for t in outputs]))
    blob.write(struct.pack("<I", len(ops)))
    for rec in ops:
        blob.write(rec)
    data = blob.getvalue()
    with open(out_path, "wb") as f:
        f.write(data)
    print(f"ops in the model: {dict(sorted(used.items()))}")
    print(f"wrote {out_path}: {len(data)} bytes, {len(tensors)} tensors, {len(ops)} ops")


def mediapipe_detections(path, upright=True):
    """MediaPipe's detections (mediapipe.solutions.face_detection, short range, min score 0.5) in
    the image's px."""
    import mediapipe as mp
    import numpy as np
    from PIL import Image, ImageOps

    img = Image.open(path)
    if upright:
        img = ImageOps.exif_transpose(img)
    arr = np.asarray(img.convert("RGB"))
    h, w = arr.shape[:2]
    found = []
    with mp.solutions.face_detection.FaceDetection(model_selection=0, min_detection_confidence=0.5) as fd:
        res = fd.process(arr)
        for d in res.detections or []:
            bb = d.location_data.relative_bounding_box
            found.append({
                "score": d.score[0],
                "box": [bb.xmin * w, bb.ymin * h, bb.width * w, bb.height * h],
                "keypoints": [[k.x * w, k.y * h] for k in d.location_data.relative_keypoints],
            })
    return w, h, found


def compare(ref, mine):
    """For each reference face, the nearest of ours by box centre: (score ref, score ours, face
    width px, largest box edge difference px, largest keypoint difference px), or None."""
    out = []
    for r in ref:
        rc = (r["box"][0] + r["box"][2] / 2, r["box"][1] + r["box"][3] / 2)
        best = min(mine, key=lambda m: (m["box"][0] + m["box"][2] / 2 - rc[0]) ** 2
                   + (m["box"][1] + m["box"][3] / 2 - rc[1]) ** 2, default=None)
        if best is None:
            out.append(None)
            continue
        box_px = max(abs(a - b) for a, b in zip(r["box"], best["box"]))
        kp_px = max(max(abs(a[0] - b[0]), abs(a[1] - b[1])) for a, b in zip(r["keypoints"], best["keypoints"]))
        out.append((r["score"], best["score"], r["box"][2], box_px, kp_px))
    return out


def check(wheel, ours_path, inputs_dir, photos):
    """Two comparisons per photo, printed as a table:

    1. the same 128x128 input (ours, written by face_check): MediaPipe on it against our network,
       decoding and suppression. This checks the inference; it must agree to 0.05 input px.
    2. the whole photo: MediaPipe's own pipeline (its letterbox samples the photo bilinearly at
       corner-aligned positions) against ours (area-averaged letterbox). These differ by the
       resampling only; reported in full-resolution px and as a share of the face's width.
    Exits 1 if comparison 1 finds any difference (a face more or less, or > 0.05 px)."""
    read_tflite(wheel)  # the same model file we converted
    with open(ours_path) as f:
        ours = {o["name"]: o for o in json.load(f)}
    failures = []
    print(f"{'photo':40s} | same 128x128 input: faces ref/ours, max diff (input px) | whole photo: faces ref/ours, score ref/ours, face width, box / keypoint diff (photo px, % of face width)")
    pipeline_rel = []
    for path in photos:
        name = path.rsplit("/", 1)[-1]
        o = ours[name]
        ox, oy, kx, ky = o["letterbox"]
        # Ours back in input px (the inverse of Letterbox::to_photo: photo = origin + input * k).
        to_in = lambda p: [(p[0] - ox) / kx, (p[1] - oy) / ky]
        mine_in = [{"score": m["score"], "box": to_in(m["box"][:2]) + [m["box"][2] / kx, m["box"][3] / ky],
                    "keypoints": [to_in(k) for k in m["keypoints"]]} for m in o["faces"]]
        _, _, ref_in = mediapipe_detections(f"{inputs_dir}/{name}.png", upright=False)
        same = compare(ref_in, mine_in)
        worst_in = max([max(c[3], c[4]) for c in same if c] + [0.0])
        ok = len(ref_in) == len(mine_in) and all(same) and worst_in <= 0.05
        if not ok:
            failures.append(name)
        col1 = f"{len(ref_in)}/{len(mine_in)} {worst_in:.3f}" + ("" if ok else " MISMATCH")
        _, _, ref = mediapipe_detections(path)
        whole = compare(ref, o["faces"])
        parts = []
        for c in whole:
            if c is None:
                parts.append("no face of ours near it")
                continue
            rs, ms, fw, bd, kd = c
            pipeline_rel.append(max(bd, kd) / fw)
            parts.append(f"{rs:.2f}/{ms:.2f} {fw:4.0f}px {bd:5.1f} / {kd:5.1f} px ({100 * max(bd, kd) / fw:4.1f} %)")
        col2 = f"{len(ref)}/{len(o['faces'])} " + "; ".join(parts)
        print(f"{name:40s} | {col1:24s} | {col2}")
    if pipeline_rel:
        pipeline_rel.sort()
        med = pipeline_rel[len(pipeline_rel) // 2]
        print(f"whole photo, faces both found: {len(pipeline_rel)}, median difference {100 * med:.1f} % of the face width, worst {100 * pipeline_rel[-1]:.1f} %")
    print(f"same input: {'all agree' if not failures else 'MISMATCH in ' + ', '.join(failures)}")
    return 1 if failures else 0


def mediapipe_selfie_mask(path):
    """MediaPipe's selfie segmentation mask (mediapipe.solutions.selfie_segmentation,
    model_selection=0: the 256x256 general model) of an image, float32 [h][w] in 0..1. On a
    256x256 image its ImageToTensor (stretch to 256x256, RGB to [0, 1]) and its mask resize are
    the identity, so the mask is the network's output as is."""
    import mediapipe as mp
    import numpy as np
    from PIL import Image

    arr = np.asarray(Image.open(path).convert("RGB"))
    with mp.solutions.selfie_segmentation.SelfieSegmentation(model_selection=0) as seg:
        return np.asarray(seg.process(arr).segmentation_mask, dtype=np.float32)


def check_selfie(wheel, inputs_dir, photos):
    """Per photo: our 256x256 input (the stretched photo, written by examples/selfie_check.rs
    with our mask as raw f32) through MediaPipe's selfie segmentation, against our mask: the
    largest and the mean absolute difference of the person probability, and the share of the
    photo each calls person (> 0.5). Exits 1 if any difference exceeds 1e-3."""
    import numpy as np

    read_tflite(wheel, SELFIE_IN_WHEEL, SELFIE_SHA256)  # the same model file we converted
    worst = 0.0
    failures = []
    print(f"{'photo':40s} | max |diff| | mean |diff| | person share ref / ours")
    for path in photos:
        name = path.rsplit("/", 1)[-1]
        ref = mediapipe_selfie_mask(f"{inputs_dir}/{name}.png")
        ours = np.fromfile(f"{inputs_dir}/{name}.f32", dtype="<f4").reshape(256, 256)
        diff = np.abs(ref - ours)
        worst = max(worst, float(diff.max()))
        if not diff.max() <= 1e-3:
            failures.append(name)
        print(f"{name:40s} | {diff.max():10.2e} | {diff.mean():11.2e} | {(ref > 0.5).mean():.3f} / {(ours > 0.5).mean():.3f}")
    print(f"selfie masks, same input: worst difference {worst:.2e}; {'all agree' if not failures else 'MISMATCH in ' + ', '.join(failures)}")
    return 1 if failures else 0


LANDMARK_GRAPH = """
input_stream: "image"
output_stream: "landmarks"
output_stream: "face_presence"
node { calculator: "ImageToTensorCalculator" input_stream: "IMAGE:image" output_stream: "TENSORS:input_tensors"
  options { [mediapipe.ImageToTensorCalculatorOptions.ext] {
    output_tensor_width: 192 output_tensor_height: 192 output_tensor_float_range { min: 0.0 max: 1.0 } } } }
node { calculator: "InferenceCalculator" input_stream: "TENSORS:input_tensors" output_stream: "TENSORS:output_tensors"
  options { [mediapipe.InferenceCalculatorOptions.ext] {
    model_path: "mediapipe/modules/face_landmark/face_landmark.tflite" delegate { xnnpack {} } } } }
node { calculator: "SplitTensorVectorCalculator" input_stream: "output_tensors"
  output_stream: "landmark_tensors" output_stream: "presence_tensor"
  options { [mediapipe.SplitVectorCalculatorOptions.ext] { ranges: { begin: 0 end: 1 } ranges: { begin: 1 end: 2 } } } }
node { calculator: "TensorsToFloatsCalculator" input_stream: "TENSORS:presence_tensor" output_stream: "FLOAT:face_presence"
  options { [mediapipe.TensorsToFloatsCalculatorOptions.ext] { activation: SIGMOID } } }
node { calculator: "TensorsToLandmarksCalculator" input_stream: "TENSORS:landmark_tensors" output_stream: "NORM_LANDMARKS:landmarks"
  options { [mediapipe.TensorsToLandmarksCalculatorOptions.ext] { num_landmarks: 468 input_image_width: 192 input_image_height: 192 } } }
"""


def mediapipe_face_mesh_on_input(paths):
    """MediaPipe's face-landmark model on 192x192 images taken as the model's input as they are:
    the nodes of its face_landmark_cpu graph from ImageToTensor (the whole image, which at
    192x192 is the identity; RGB to [0, 1]) through the InferenceCalculator (face_landmark.tflite,
    XNNPACK, as in the wheel's graphs) to TensorsToLandmarks and the sigmoid of the presence
    flag, without the ROI crop. Yields (468 [x, y] in input px, presence score) per image."""
    import numpy as np
    from google.protobuf import text_format
    from mediapipe.calculators.core import split_vector_calculator_pb2  # noqa: F401 (options)
    from mediapipe.calculators.tensor import image_to_tensor_calculator_pb2  # noqa: F401
    from mediapipe.calculators.tensor import inference_calculator_pb2  # noqa: F401
    from mediapipe.calculators.tensor import tensors_to_floats_calculator_pb2  # noqa: F401
    from mediapipe.calculators.tensor import tensors_to_landmarks_calculator_pb2  # noqa: F401
    from mediapipe.framework import calculator_pb2
    from mediapipe.python.solution_base import SolutionBase
    from PIL import Image

    config = text_format.Parse(LANDMARK_GRAPH, calculator_pb2.CalculatorGraphConfig())
    with SolutionBase(graph_config=config) as graph:
        for path in paths:
            arr = np.asarray(Image.open(path).convert("RGB"))
            assert arr.shape == (192, 192, 3), arr.shape
            res = graph.process({"image": arr})
            pts = [[p.x * 192, p.y * 192] for p in res.landmarks.landmark]
            yield pts, float(res.face_presence)


def check_landmarks(wheel, inputs_dir, ours_path):
    """Per face (inputs written by examples/landmark_check.rs, with our points on each): MediaPipe's
    face-landmark model on the same 192x192 input against ours: the largest point difference in
    input px and relative to the input's side, and the presence scores. Exits 1 if a point differs
    by more than 1e-3 of the side (0.19 px) or a presence score by more than 1e-3."""
    import numpy as np

    read_tflite(wheel, LANDMARK_IN_WHEEL, LANDMARK_SHA256)  # the same model file we converted
    with open(ours_path) as f:
        ours = json.load(f)
    failures = []
    worst = 0.0
    print(f"{'face input':46s} | frontal | presence ref / ours | max point diff (input px, share of 192)")
    refs = mediapipe_face_mesh_on_input([f"{inputs_dir}/{o['input']}" for o in ours])
    for o, (ref_pts, ref_presence) in zip(ours, refs):
        diff = float(np.abs(np.array(ref_pts) - np.array(o["points"])).max())
        worst = max(worst, diff / 192)
        ok = diff / 192 <= 1e-3 and abs(ref_presence - o["presence"]) <= 1e-3
        if not ok:
            failures.append(o["input"])
        print(f"{o['input']:46s} | {str(o['frontal']):7s} | {ref_presence:.4f} / {o['presence']:.4f}    | {diff:.4f} px ({diff / 192:.1e})" + ("" if ok else " MISMATCH"))
    print(f"face mesh, same input: {len(ours)} faces, worst point difference {worst:.1e} of the side; {'all agree' if not failures else 'MISMATCH in ' + ', '.join(failures)}")
    return 1 if failures else 0


if __name__ == "__main__":
    cmd = sys.argv[1]
    if cmd == "convert":
        convert(sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5])
    elif cmd == "check-selfie":
        sys.exit(check_selfie(sys.argv[2], sys.argv[3], sys.argv[4:]))
    elif cmd == "check-landmarks":
        sys.exit(check_landmarks(sys.argv[2], sys.argv[3], sys.argv[4]))
    elif cmd == "landmark-reference":
        # MediaPipe's points (input px) and presence for one 192x192 image, at the given landmark ids.
        pts, presence = next(mediapipe_face_mesh_on_input([sys.argv[2]]))
        print(json.dumps({"presence": presence, "points": [[int(i)] + pts[int(i)] for i in sys.argv[3:]]}))
    elif cmd == "selfie-reference":
        # MediaPipe's mask of one 256x256 image at the given px (for recording test numbers).
        mask = mediapipe_selfie_mask(sys.argv[2])
        at = [int(v) for v in sys.argv[3:]]
        print(json.dumps([[x, y, float(mask[y, x])] for x, y in zip(at[0::2], at[1::2])]))
    elif cmd == "check":
        sys.exit(check(sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5:]))
    elif cmd == "reference":
        # One photo's MediaPipe detections as JSON (for recording test numbers).
        w, h, found = mediapipe_detections(sys.argv[2])
        print(json.dumps({"width": w, "height": h, "faces": found}, indent=1))
    else:
        sys.exit(f"unknown command {cmd}")
