"""restora's MTCNN against a literal, independent re-implementation of the reference algorithm
(facenet-pytorch's ``detect_face``, as documented there: image in 0..255, pyramid from 12 /
min_size with factor 0.709, P-Net cells over the threshold -> boxes, NMS 0.5 per scale and 0.7
overall, R-Net / O-Net on area-resampled crops, bounding-box regression, NMS 'Min' at the end).

The networks here run from the raw state dicts with ``torch.nn.functional`` (no restora module),
the NMS is the reference's numpy loop, and the crops follow the reference's ``pad``. Acceptance
(issue 19): on 20 photos, every face matches with box IoU >= 0.9 and landmarks within 2 px.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from restora.core.paths import shared_dir

SHARED = shared_dir()
WEIGHTS = SHARED / "weights" / "mtcnn_facenet_pytorch" if SHARED else None
pytestmark = pytest.mark.skipif(
    WEIGHTS is None or not (WEIGHTS / "pnet.pt").is_file(),
    reason="needs shared/weights/mtcnn_facenet_pytorch (set $RESTORA_SHARED)",
)

PHOTOS = [
    *(
        f"train/caltech_faces/image_{n:04d}.jpg"
        for n in (1, 22, 47, 69, 90, 113, 147, 159, 166, 381)
    ),
    "data/old_photos/old/b.png",
    "data/old_photos/old/e.png",
    "data/old_photos/old/h.png",
    "data/real_photos/faces_old/codeformer_Hepburn02.png",
    "data/real_photos/faces_old/leegwang_625_Gen_Ridgway.jpg",
    "data/real_photos/damaged/bop-pr256_17.png",
    "data/real_photos/damaged/somhathai_mix4.png",
    "data/real_photos/damaged/sushma_o.jpg",
    "data/real_photos/old_bw/sushma_m.jpg",
    "data/real_photos/old_bw/ddcolor_Helen_Keller_meeting_Charlie_Chaplin_in_.jpg",
]


def _prelu(x, w):
    return F.prelu(x, w)


def _pnet(sd, x):
    x = F.max_pool2d(
        _prelu(F.conv2d(x, sd["conv1.weight"], sd["conv1.bias"]), sd["prelu1.weight"]),
        2,
        2,
        ceil_mode=True,
    )
    x = _prelu(F.conv2d(x, sd["conv2.weight"], sd["conv2.bias"]), sd["prelu2.weight"])
    x = _prelu(F.conv2d(x, sd["conv3.weight"], sd["conv3.bias"]), sd["prelu3.weight"])
    prob = F.softmax(F.conv2d(x, sd["conv4_1.weight"], sd["conv4_1.bias"]), dim=1)
    return F.conv2d(x, sd["conv4_2.weight"], sd["conv4_2.bias"]), prob


def _rnet(sd, x):
    x = F.max_pool2d(
        _prelu(F.conv2d(x, sd["conv1.weight"], sd["conv1.bias"]), sd["prelu1.weight"]),
        3,
        2,
        ceil_mode=True,
    )
    x = F.max_pool2d(
        _prelu(F.conv2d(x, sd["conv2.weight"], sd["conv2.bias"]), sd["prelu2.weight"]),
        3,
        2,
        ceil_mode=True,
    )
    x = _prelu(F.conv2d(x, sd["conv3.weight"], sd["conv3.bias"]), sd["prelu3.weight"])
    x = x.permute(0, 3, 2, 1).contiguous()
    x = _prelu(
        F.linear(x.view(x.shape[0], -1), sd["dense4.weight"], sd["dense4.bias"]),
        sd["prelu4.weight"],
    )
    prob = F.softmax(F.linear(x, sd["dense5_1.weight"], sd["dense5_1.bias"]), dim=1)
    return F.linear(x, sd["dense5_2.weight"], sd["dense5_2.bias"]), prob


def _onet(sd, x):
    x = F.max_pool2d(
        _prelu(F.conv2d(x, sd["conv1.weight"], sd["conv1.bias"]), sd["prelu1.weight"]),
        3,
        2,
        ceil_mode=True,
    )
    x = F.max_pool2d(
        _prelu(F.conv2d(x, sd["conv2.weight"], sd["conv2.bias"]), sd["prelu2.weight"]),
        3,
        2,
        ceil_mode=True,
    )
    x = F.max_pool2d(
        _prelu(F.conv2d(x, sd["conv3.weight"], sd["conv3.bias"]), sd["prelu3.weight"]),
        2,
        2,
        ceil_mode=True,
    )
    x = _prelu(F.conv2d(x, sd["conv4.weight"], sd["conv4.bias"]), sd["prelu4.weight"])
    x = x.permute(0, 3, 2, 1).contiguous()
    x = _prelu(
        F.linear(x.view(x.shape[0], -1), sd["dense5.weight"], sd["dense5.bias"]),
        sd["prelu5.weight"],
    )
    prob = F.softmax(F.linear(x, sd["dense6_1.weight"], sd["dense6_1.bias"]), dim=1)
    reg = F.linear(x, sd["dense6_2.weight"], sd["dense6_2.bias"])
    points = F.linear(x, sd["dense6_3.weight"], sd["dense6_3.bias"])
    return reg, points, prob


def _nms(boxes, scores, threshold, method):
    """The reference's numpy NMS; 'Union' with exclusive areas as torchvision's nms."""
    if boxes.size == 0:
        return np.empty(0, dtype=np.int64)
    x1, y1, x2, y2 = (boxes[:, i].copy() for i in range(4))
    plus = 1.0 if method == "Min" else 0.0
    area = (x2 - x1 + plus) * (y2 - y1 + plus)
    order = np.argsort(-scores, kind="stable")
    pick = []
    while order.size > 0:
        i = order[0]
        pick.append(i)
        idx = order[1:]
        w = np.maximum(0.0, np.minimum(x2[i], x2[idx]) - np.maximum(x1[i], x1[idx]) + plus)
        h = np.maximum(0.0, np.minimum(y2[i], y2[idx]) - np.maximum(y1[i], y1[idx]) + plus)
        inter = w * h
        if method == "Min":
            o = inter / np.minimum(area[i], area[idx])
        else:
            o = inter / (area[i] + area[idx] - inter)
        order = idx[o <= threshold]
    return np.array(pick, dtype=np.int64)


def _rerec(b):
    b = b.copy()
    h = b[:, 3] - b[:, 1]
    w = b[:, 2] - b[:, 0]
    side = np.maximum(w, h)
    b[:, 0] = b[:, 0] + w * 0.5 - side * 0.5
    b[:, 1] = b[:, 1] + h * 0.5 - side * 0.5
    b[:, 2:4] = b[:, :2] + np.repeat(side[:, None], 2, axis=1)
    return b


def _bbreg(b, reg):
    b = b.copy()
    w = b[:, 2] - b[:, 0] + 1
    h = b[:, 3] - b[:, 1] + 1
    b[:, 0] += reg[:, 0] * w
    b[:, 1] += reg[:, 1] * h
    b[:, 2] += reg[:, 2] * w
    b[:, 3] += reg[:, 3] * h
    return b


def _pad(boxes, w, h):
    b = np.trunc(boxes).astype(np.int64)
    x, y, ex, ey = b[:, 0].copy(), b[:, 1].copy(), b[:, 2].copy(), b[:, 3].copy()
    x[x < 1] = 1
    y[y < 1] = 1
    ex[ex > w] = w
    ey[ey > h] = h
    return y, ey, x, ex


def reference_detect(img: torch.Tensor, nets, minsize=20, threshold=(0.6, 0.7, 0.7), factor=0.709):
    """img: (1, 3, H, W) float 0..255. Returns boxes (N, 5) and points (N, 5, 2)."""
    pnet, rnet, onet = nets
    h, w = img.shape[2:4]
    m = 12.0 / minsize
    minl = min(h, w) * m
    scales, scale_i = [], m
    while minl >= 12:
        scales.append(scale_i)
        scale_i *= factor
        minl *= factor
    all_boxes = []
    for scale in scales:
        im_data = F.interpolate(img, size=(int(h * scale + 1), int(w * scale + 1)), mode="area")
        im_data = (im_data - 127.5) * 0.0078125
        reg, probs = _pnet(pnet, im_data)
        prob = probs[0, 1].numpy()
        yy, xx = np.where(prob >= threshold[0])
        if len(yy) == 0:
            continue
        bb = np.stack([xx, yy], axis=1).astype(np.float64)
        q1 = np.floor((2 * bb + 1) / scale)
        q2 = np.floor((2 * bb + 12 - 1 + 1) / scale)
        r = reg[0].numpy()[:, yy, xx].T
        boxes = np.concatenate([q1, q2, prob[yy, xx][:, None], r], axis=1)
        all_boxes.append(boxes[_nms(boxes[:, :4], boxes[:, 4], 0.5, "Union")])
    if not all_boxes:
        return np.zeros((0, 5)), np.zeros((0, 5, 2))
    boxes = np.concatenate(all_boxes)
    boxes = boxes[_nms(boxes[:, :4], boxes[:, 4], 0.7, "Union")]
    regw = boxes[:, 2] - boxes[:, 0]
    regh = boxes[:, 3] - boxes[:, 1]
    boxes = np.stack(
        [
            boxes[:, 0] + boxes[:, 5] * regw,
            boxes[:, 1] + boxes[:, 6] * regh,
            boxes[:, 2] + boxes[:, 7] * regw,
            boxes[:, 3] + boxes[:, 8] * regh,
            boxes[:, 4],
        ],
        axis=1,
    )
    boxes = _rerec(boxes)

    def crops(boxes, size):
        y, ey, x, ex = _pad(boxes, w, h)
        out, ok = [], []
        for k in range(len(y)):
            if ey[k] > (y[k] - 1) and ex[k] > (x[k] - 1):
                out.append(
                    F.interpolate(
                        img[:, :, y[k] - 1 : ey[k], x[k] - 1 : ex[k]],
                        size=(size, size),
                        mode="area",
                    )
                )
                ok.append(k)
        return (torch.cat(out) - 127.5) * 0.0078125, np.array(ok, dtype=np.int64)

    data, ok = crops(boxes, 24)
    reg, prob = _rnet(rnet, data)
    score = prob[:, 1].numpy()
    ipass = score > threshold[1]
    boxes = np.concatenate([boxes[ok][ipass, :4], score[ipass, None]], axis=1)
    mv = reg.numpy()[ipass]
    pick = _nms(boxes[:, :4], boxes[:, 4], 0.7, "Union")
    boxes = _rerec(_bbreg(boxes[pick], mv[pick]))
    if len(boxes) == 0:
        return np.zeros((0, 5)), np.zeros((0, 5, 2))
    data, ok = crops(boxes, 48)
    reg, points, prob = _onet(onet, data)
    score = prob[:, 1].numpy()
    ipass = score > threshold[2]
    boxes = np.concatenate([boxes[ok][ipass, :4], score[ipass, None]], axis=1)
    pts = points.numpy()[ipass]
    mv = reg.numpy()[ipass]
    w_i = boxes[:, 2] - boxes[:, 0] + 1
    h_i = boxes[:, 3] - boxes[:, 1] + 1
    px = w_i[:, None] * pts[:, :5] + boxes[:, 0:1] - 1
    py = h_i[:, None] * pts[:, 5:] + boxes[:, 1:2] - 1
    points = np.stack([px, py], axis=2)
    boxes = _bbreg(boxes, mv)
    pick = _nms(boxes[:, :4], boxes[:, 4], 0.7, "Min")
    return boxes[pick], points[pick]


def _iou(a, b):
    w = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    h = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = w * h
    return inter / ((a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter)


@pytest.fixture(scope="module")
def raw_nets():
    return tuple(
        torch.load(WEIGHTS / f"{n}.pt", map_location="cpu", weights_only=True)
        for n in ("pnet", "rnet", "onet")
    )


@pytest.mark.slow
@pytest.mark.golden
def test_twenty_photos_match_the_reference(raw_nets):
    from restora.io import read_image
    from restora.models.face.mtcnn import PAPER, detect_faces

    torch.set_num_threads(max(1, torch.get_num_threads()))
    total = 0
    for rel in PHOTOS:
        image = read_image(SHARED / rel).image
        with torch.inference_mode():
            ref_boxes, ref_points = reference_detect(image * 255.0, raw_nets)
        ours = detect_faces(image, settings=PAPER)
        assert len(ours) == len(ref_boxes), (
            f"{rel}: {len(ours)} faces vs reference {len(ref_boxes)}"
        )
        for box, points in zip(ref_boxes, ref_points, strict=True):
            ious = [_iou(box[:4], f.box) for f in ours]
            best = int(np.argmax(ious))
            assert ious[best] >= 0.9, f"{rel}: best IoU {ious[best]:.3f}"
            error = np.abs(ours[best].landmark_array() - points).max()
            assert error <= 2.0, f"{rel}: landmarks off by {error:.2f} px"
            assert abs(ours[best].score - box[4]) < 1e-3
        total += len(ref_boxes)
    assert total >= 20  # every photo has a face: the comparison is not vacuous
