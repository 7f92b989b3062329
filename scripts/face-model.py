"""BlazeFace short-range (MediaPipe, Apache-2.0) -> crates/smp-core/models/blazeface.bin, and the
comparison of our Rust inference against MediaPipe's own face detection.

Run through scripts/face-model (it makes the venv and downloads the wheel from PyPI).

  face-model.py convert WHEEL OUT.bin       write the compact weight file
  face-model.py check WHEEL OURS.json INPUTS_DIR PHOTO...
                                            MediaPipe's detections (mediapipe.solutions.face_detection,
                                            model_selection=0) compared with ours (from
                                            examples/face_check.rs): on the same 128x128 inputs,
                                            and on the whole photos (see check())
  face-model.py reference IMAGE             MediaPipe's detections for one image, as JSON

The weight file (little-endian) is a list of ops over numbered activation tensors, with the
fp16 weights exactly as the .tflite stores them (its DEQUANTIZE ops are folded into the op that
uses them):

  b"SMPNN\\x01\\0\\0"
  u32 tensor count, then per tensor u32 h, w, c (the NHWC shape without the batch; tensor 0 is
      the 128x128x3 input; a [1, N, K] tensor is stored as h=1, w=N, c=K)
  u32 output count, u32 ids (regressors [896x16], then scores [896x1])
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
"""

import hashlib
import io
import json
import struct
import sys
import zipfile

TFLITE_IN_WHEEL = "mediapipe/modules/face_detection/face_detection_short_range.tflite"
TFLITE_SHA256 = "bbff11cebd1eb27a1e004cae0b0e63ec8c551cbf34a4451148b4908b8db3eca8"


def read_tflite(wheel):
    with zipfile.ZipFile(wheel) as z:
        data = z.read(TFLITE_IN_WHEEL)
    digest = hashlib.sha256(data).hexdigest()
    if digest != TFLITE_SHA256:
        sys.exit(f"{TFLITE_IN_WHEEL}: sha256 {digest}, expected {TFLITE_SHA256}")
    return data


def convert(wheel, out_path):
    import numpy as np
    import tflite

    buf = read_tflite(wheel)
    model = tflite.Model.GetRootAsModel(buf, 0)
    graph = model.Subgraphs(0)
    names = {v: k for k, v in tflite.BuiltinOperator.__dict__.items() if not k.startswith("_")}

    def opname(op):
        code = model.OperatorCodes(op.OpcodeIndex())
        return names[max(code.BuiltinCode(), code.DeprecatedBuiltinCode())]

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
    assert len(inputs) == 1 and shape(inputs[0]) == [1, 128, 128, 3], shape(inputs[0])
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
        else:
            sys.exit(f"unsupported op {name}")
    outputs = [int(x) for x in graph.OutputsAsNumpy()]
    regressors = [t for t in outputs if shape(t) == [1, 896, 16]]
    scores = [t for t in outputs if shape(t) == [1, 896, 1]]
    assert len(regressors) == 1 and len(scores) == 1, [shape(t) for t in outputs]
    tensors = sorted(ids.values())
    blob = io.BytesIO()
    blob.write(b"SMPNN\x01\x00\x00")
    blob.write(struct.pack("<I", len(tensors)))
    for _, hwc in tensors:
        blob.write(struct.pack("<3I", *hwc))
    blob.write(struct.pack("<3I", 2, act_id(regressors[0]), act_id(scores[0])))
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


if __name__ == "__main__":
    cmd = sys.argv[1]
    if cmd == "convert":
        convert(sys.argv[2], sys.argv[3])
    elif cmd == "check":
        sys.exit(check(sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5:]))
    elif cmd == "reference":
        # One photo's MediaPipe detections as JSON (for recording test numbers).
        w, h, found = mediapipe_detections(sys.argv[2])
        print(json.dumps({"width": w, "height": h, "faces": found}, indent=1))
    else:
        sys.exit(f"unknown command {cmd}")
