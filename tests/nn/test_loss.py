"""Every loss against PyTorch: values and gradients, each reduction, float32 and float64.

Modules are compared with their torch twins built with the same arguments; gradients are
taken with a random weighting of the output (so 'none' is checked elementwise). SoftIoULoss
has no twin: gradcheck, a direct numpy computation and its closed-form gradient.
"""

import warnings

import numpy as np
import pytest
import torch

import autograd_core as ac
import nn
from nn import functional as F

from .twins import close

REDUCTIONS = ["mean", "sum", "none"]
DTYPES = ["float32", "float64"]



def compare(ours_fn, theirs_fn, arrays, grads, dtype, seed=0):
    """Run both losses on the same arrays; the inputs listed in ``grads`` require grad."""
    ours_in = [ac.tensor(a, requires_grad=i in grads) if a.dtype.kind == "f" else ac.tensor(a)
               for i, a in enumerate(arrays)]
    theirs_in = [torch.tensor(a, requires_grad=i in grads) for i, a in enumerate(arrays)]
    out, tout = ours_fn(*ours_in), theirs_fn(*theirs_in)
    close(out, tout, dtype, "value")
    w = np.asarray(np.random.default_rng(seed).standard_normal(tuple(tout.shape)), dtype=dtype)
    (out * ac.tensor(w)).sum().backward()
    (tout * torch.tensor(w)).sum().backward()
    for i in grads:
        close(ours_in[i].grad, theirs_in[i].grad, dtype, f"gradient of input {i}")


def floats(rng, shape, dtype, low=-2.0, high=2.0):
    return np.asarray(rng.uniform(low, high, size=shape)).astype(dtype)


# -- regression losses --------------------------------------------------------------------

REGRESSION = [
    ("MSELoss", {}), ("L1Loss", {}), ("HuberLoss", {}), ("HuberLoss", {"delta": 0.4}),
    ("SmoothL1Loss", {}), ("SmoothL1Loss", {"beta": 0.3}), ("SmoothL1Loss", {"beta": 0.0}),
]


@pytest.mark.parametrize("name,kwargs", REGRESSION, ids=lambda v: str(v))
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", [(), (5,), (3, 4), (2, 3, 4)])
def test_regression_losses_match_torch(name, kwargs, reduction, dtype, shape):
    rng = np.random.default_rng(len(shape))
    ours = getattr(nn, name)(reduction=reduction, **kwargs)
    theirs = getattr(torch.nn, name)(reduction=reduction, **kwargs)
    compare(ours, theirs, [floats(rng, shape, dtype), floats(rng, shape, dtype)], [0, 1], dtype)


@pytest.mark.parametrize("fn", ["mse_loss", "l1_loss", "huber_loss"])
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("dtype", DTYPES)
def test_elementwise_weight_matches_torch(fn, reduction, dtype):
    rng = np.random.default_rng(3)
    arrays = [floats(rng, (3, 4), dtype), floats(rng, (3, 4), dtype),
              floats(rng, (3, 4), dtype, 0.5, 2.0)]
    compare(lambda x, y, w: getattr(F, fn)(x, y, reduction=reduction, weight=w),
            lambda x, y, w: getattr(torch.nn.functional, fn)(x, y, reduction=reduction,
                                                             weight=w),
            arrays, [0, 1, 2], dtype)


def test_regression_at_kinks_matches_torch():
    """Errors exactly 0 and exactly at delta/beta: PyTorch's gradient conventions."""
    x = np.array([0.0, 1.0, -1.0, 0.5, 2.0, -0.5])
    y = np.array([0.0, 0.0, 0.0, 0.0, 0.0, 0.0])
    for name, kwargs in REGRESSION:
        for d in ({"delta": 1.0} if name == "HuberLoss" else {}, kwargs):
            compare(getattr(nn, name)(reduction="sum", **d),
                    getattr(torch.nn, name)(reduction="sum", **d), [x, y], [0, 1], "float64")


def test_broadcast_target_warns_like_torch():
    with pytest.warns(UserWarning, match="different to the input size"):
        out = F.mse_loss(ac.ones(3), ac.zeros(3, 1))
    assert out.shape == ()


# -- cross-entropy and NLL ----------------------------------------------------------------


def class_targets(rng, x_shape, ignore_index):
    c = x_shape[0] if len(x_shape) == 1 else x_shape[1]
    t_shape = () if len(x_shape) == 1 else (x_shape[0],) + x_shape[2:]
    t = np.asarray(rng.integers(0, c, size=t_shape))
    if ignore_index == -100 and t.ndim:
        t[rng.random(t_shape) < 0.3] = -100
    if t.flat[0] == ignore_index:
        t.flat[0] = (ignore_index + 1) % c
    return t.astype(np.int64)


CLASS_SHAPES = [(4,), (5, 4), (3, 4, 2), (2, 4, 3, 2)]


@pytest.mark.parametrize("shape", CLASS_SHAPES, ids=str)
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("ignore_index", [-100, 2])
@pytest.mark.parametrize("label_smoothing", [0.0, 0.2])
def test_cross_entropy_class_indices_matches_torch(shape, reduction, dtype, weighted,
                                                   ignore_index, label_smoothing):
    rng = np.random.default_rng(7)
    x = floats(rng, shape, dtype, -3, 3)
    t = class_targets(rng, shape, ignore_index)
    c = shape[0] if len(shape) == 1 else shape[1]
    w = floats(rng, (c,), dtype, 0.5, 2.0)
    kwargs = {"ignore_index": ignore_index, "reduction": reduction,
              "label_smoothing": label_smoothing}
    ours = nn.CrossEntropyLoss(weight=ac.tensor(w) if weighted else None, **kwargs)
    theirs = torch.nn.CrossEntropyLoss(weight=torch.tensor(w) if weighted else None, **kwargs)
    compare(ours, theirs, [x, t], [0], dtype)


@pytest.mark.parametrize("shape", CLASS_SHAPES, ids=str)
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("label_smoothing", [0.0, 0.3])
def test_cross_entropy_probability_targets_matches_torch(shape, reduction, dtype, weighted,
                                                         label_smoothing):
    rng = np.random.default_rng(8)
    c_dim = 0 if len(shape) == 1 else 1
    x = floats(rng, shape, dtype, -3, 3)
    p = floats(rng, shape, dtype, 0.0, 1.0)
    p = (p / p.sum(c_dim, keepdims=True)).astype(dtype)
    w = floats(rng, (shape[c_dim],), dtype, 0.5, 2.0)
    kwargs = {"reduction": reduction, "label_smoothing": label_smoothing}
    compare(lambda x, p, w: F.cross_entropy(x, p, w if weighted else None, **kwargs),
            lambda x, p, w: torch.nn.functional.cross_entropy(x, p, w if weighted else None,
                                                              **kwargs),
            [x, p, w], [0, 1, 2] if weighted else [0, 1], dtype)


def test_cross_entropy_second_order_matches_torch():
    rng = np.random.default_rng(9)
    x, t, w = rng.standard_normal((3, 4, 2)), class_targets(rng, (3, 4, 2), -100), \
        rng.uniform(0.5, 2, 4)
    xa, xt = ac.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    kwargs = {"label_smoothing": 0.25}
    (g,) = ac.grad(F.cross_entropy(xa, ac.tensor(t), ac.tensor(w), **kwargs), [xa],
                   create_graph=True)
    (gt,) = torch.autograd.grad(torch.nn.functional.cross_entropy(
        xt, torch.tensor(t), torch.tensor(w), **kwargs), [xt], create_graph=True)
    close(g, gt, "float64", "gradient")
    v = rng.standard_normal(x.shape)
    (h,) = ac.grad((g * ac.tensor(v)).sum(), [xa])
    (ht,) = torch.autograd.grad((gt * torch.tensor(v)).sum(), [xt])
    close(h, ht, "float64", "Hessian-vector product")


def test_cross_entropy_is_one_fused_node():
    x = ac.randn(4, 3, requires_grad=True)
    loss = F.cross_entropy(x, ac.tensor([0, 2, 1, 0]))
    assert loss.grad_fn.name == "CrossEntropyBackward"
    assert loss.grad_fn.next_nodes[0].variable is x


def test_all_ignored_mean_is_nan_with_zero_gradient_like_torch():
    for fn, tfn in ((F.cross_entropy, torch.nn.functional.cross_entropy),
                    (F.nll_loss, torch.nn.functional.nll_loss)):
        x = np.random.default_rng(0).standard_normal((3, 4))
        t = np.full(3, -100)
        xa, xt = ac.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
        out, tout = fn(xa, ac.tensor(t)), tfn(xt, torch.tensor(t))
        assert np.isnan(out.item()) and np.isnan(tout.item())
        out.backward()
        tout.backward()
        np.testing.assert_array_equal(xa.grad.numpy(), xt.grad.numpy())


@pytest.mark.parametrize("shape", CLASS_SHAPES, ids=str)
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("ignore_index", [-100, 1])
def test_nll_loss_matches_torch(shape, reduction, dtype, weighted, ignore_index):
    rng = np.random.default_rng(10)
    x = floats(rng, shape, dtype, -3, 0)
    t = class_targets(rng, shape, ignore_index)
    c = shape[0] if len(shape) == 1 else shape[1]
    w = floats(rng, (c,), dtype, 0.5, 2.0)
    kwargs = {"ignore_index": ignore_index, "reduction": reduction}
    ours = nn.NLLLoss(weight=ac.tensor(w) if weighted else None, **kwargs)
    theirs = torch.nn.NLLLoss(weight=torch.tensor(w) if weighted else None, **kwargs)
    compare(ours, theirs, [x, t], [0], dtype)


def test_log_softmax_then_nll_equals_cross_entropy():
    x = ac.randn(5, 3, requires_grad=True)
    t = ac.tensor([0, 1, 2, 1, 0])
    a = F.nll_loss(F.log_softmax(x, 1), t)
    b = F.cross_entropy(x, t)
    np.testing.assert_allclose(a.item(), b.item(), rtol=1e-6)


# -- binary cross-entropy -----------------------------------------------------------------

BINARY_SHAPES = [(), (6,), (3, 4), (2, 3, 4)]


@pytest.mark.parametrize("shape", BINARY_SHAPES, ids=str)
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("weighted", [False, True])
def test_bce_matches_torch(shape, reduction, dtype, weighted):
    rng = np.random.default_rng(11)
    p, y = floats(rng, shape, dtype, 0.02, 0.98), floats(rng, shape, dtype, 0, 1)
    w = floats(rng, shape[-1:], dtype, 0.5, 2.0)
    ours = nn.BCELoss(weight=ac.tensor(w) if weighted else None, reduction=reduction)
    theirs = torch.nn.BCELoss(weight=torch.tensor(w) if weighted else None,
                              reduction=reduction)
    compare(ours, theirs, [p, y], [0, 1], dtype)


@pytest.mark.parametrize("shape", BINARY_SHAPES, ids=str)
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("pos_weighted", [False, True])
def test_bce_with_logits_matches_torch(shape, reduction, dtype, weighted, pos_weighted):
    rng = np.random.default_rng(12)
    x, y = floats(rng, shape, dtype, -5, 5), floats(rng, shape, dtype, 0, 1)
    w, pw = floats(rng, shape[-1:], dtype, 0.5, 2), floats(rng, shape[-1:], dtype, 0.5, 3)

    def make(lib):
        return lib.BCEWithLogitsLoss(
            weight=lib_tensor(lib, w) if weighted else None, reduction=reduction,
            pos_weight=lib_tensor(lib, pw) if pos_weighted else None)

    compare(make(nn), make(torch.nn), [x, y], [0, 1], dtype)


def lib_tensor(lib, array):
    return ac.tensor(array) if lib is nn else torch.tensor(array)


def test_bce_at_0_and_1_matches_torch():
    """log clamped at -100, the gradient's denominator at 1e-12, the target's gradient
    unclamped (inf at p = 0 and 1), as in PyTorch."""
    p = np.array([0.0, 1.0, 0.5, 1e-20, 1.0, 0.0])
    y = np.array([0.3, 0.3, 0.3, 1.0, 1.0, 0.0])
    compare(lambda p, y: F.binary_cross_entropy(p, y, reduction="none"),
            lambda p, y: torch.nn.functional.binary_cross_entropy(p, y, reduction="none"),
            [p, y], [0, 1], "float64")


def test_bce_with_logits_is_stable_and_exact_at_zero():
    """exp(-x) overflows at |x| = 1000 unless computed stably; at x = 0 the gradient is
    sigmoid(0) - y (a composite of abs and relu would give the wrong value there)."""
    for dtype in DTYPES:
        x = np.array([-1000.0, -30.0, 0.0, 0.0, 30.0, 1000.0], dtype=dtype)
        y = np.array([0.0, 1.0, 0.2, 1.0, 0.0, 1.0], dtype=dtype)
        pw = np.array([2.0], dtype=dtype)
        compare(lambda x, y, pw: F.binary_cross_entropy_with_logits(
                    x, y, reduction="none", pos_weight=pw),
                lambda x, y, pw: torch.nn.functional.binary_cross_entropy_with_logits(
                    x, y, reduction="none", pos_weight=pw),
                [x, y, pw], [0, 1], dtype)


def test_bce_with_logits_second_order_matches_torch():
    rng = np.random.default_rng(13)
    x, y, pw = rng.standard_normal((3, 4)), rng.uniform(0, 1, (3, 4)), rng.uniform(0.5, 3, 4)
    xa, ya = ac.tensor(x, requires_grad=True), ac.tensor(y, requires_grad=True)
    xt, yt = torch.tensor(x, requires_grad=True), torch.tensor(y, requires_grad=True)
    g = ac.grad(F.binary_cross_entropy_with_logits(xa, ya, pos_weight=ac.tensor(pw)),
                [xa, ya], create_graph=True)
    gt = torch.autograd.grad(torch.nn.functional.binary_cross_entropy_with_logits(
        xt, yt, pos_weight=torch.tensor(pw)), [xt, yt], create_graph=True)
    h = ac.grad(g[0].sum() + g[1].sum(), [xa, ya])
    ht = torch.autograd.grad(gt[0].sum() + gt[1].sum(), [xt, yt])
    for a, b in zip([*g, *h], [*gt, *ht]):
        close(a, b, "float64")


# -- multi-margin and KL ------------------------------------------------------------------


@pytest.mark.parametrize("shape", [(5,), (1, 5), (6, 4)], ids=str)
@pytest.mark.parametrize("p", [1, 2])
@pytest.mark.parametrize("margin", [1.0, 0.5])
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("weighted", [False, True])
def test_multi_margin_matches_torch(shape, p, margin, reduction, dtype, weighted):
    rng = np.random.default_rng(14)
    x = floats(rng, shape, dtype, -1.5, 1.5)
    t = np.asarray(rng.integers(0, shape[-1], size=() if len(shape) == 1 else shape[:1]))
    w = floats(rng, shape[-1:], dtype, 0.5, 2.0)

    def make(lib):
        return lib.MultiMarginLoss(p=p, margin=margin, reduction=reduction,
                                   weight=lib_tensor(lib, w) if weighted else None)

    compare(make(nn), make(torch.nn), [x, t.astype(np.int64)], [0], dtype)


def test_multi_margin_is_the_svm_hinge_of_the_notes():
    """Scores (3.2, 5.1, -1.7) for class 0, margin 1: max(0, 5.1-3.2+1) + max(0, -1.7-3.2+1)
    = 2.9, and PyTorch divides by the number of classes."""
    loss = F.multi_margin_loss(ac.tensor([[3.2, 5.1, -1.7]], dtype=ac.float64), ac.tensor([0]))
    np.testing.assert_allclose(loss.item(), 2.9 / 3)


@pytest.mark.parametrize("reduction", ["batchmean", "sum", "none", "mean"])
@pytest.mark.parametrize("log_target", [False, True])
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", [(4,), (3, 5), (2, 3, 4)], ids=str)
def test_kl_div_matches_torch(reduction, log_target, dtype, shape):
    rng = np.random.default_rng(15)
    x = np.log(floats(rng, shape, dtype, 0.05, 1.0))
    t = floats(rng, shape, dtype, 0.05, 1.0)
    if log_target:
        t = np.log(t)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # 'mean' warns, on both sides
        compare(nn.KLDivLoss(reduction=reduction, log_target=log_target),
                torch.nn.KLDivLoss(reduction=reduction, log_target=log_target),
                [x, t], [0, 1], dtype)


@pytest.mark.filterwarnings("ignore:invalid value encountered")  # 0 * log(0), not selected
def test_kl_div_zero_target_and_mean_warning_like_torch():
    x = np.log(np.array([[0.2, 0.3, 0.5]]))
    t = np.array([[0.0, 0.4, 0.6]])
    compare(lambda x, t: F.kl_div(x, t, reduction="sum"),
            lambda x, t: torch.nn.functional.kl_div(x, t, reduction="sum"), [x, t], [0],
            "float64")
    with pytest.warns(UserWarning, match="batchmean"):
        F.kl_div(ac.tensor(x), ac.tensor(t))


# -- soft IoU -----------------------------------------------------------------------------


def soft_iou_numpy(p, t, eps=0.0):
    axes = tuple(range(1, p.ndim))
    inter = (p * t).sum(axes)
    union = (p + t - p * t).sum(axes)
    return 1 - (inter + eps) / (union + eps), inter + eps, union + eps


@pytest.mark.parametrize("shape", [(2, 5), (3, 4, 4), (2, 1, 3, 3)], ids=str)
@pytest.mark.parametrize("eps", [0.0, 1e-3])
def test_soft_iou_value_and_closed_form_gradient(shape, eps):
    rng = np.random.default_rng(16)
    p = rng.uniform(0.05, 0.95, shape)
    t = (rng.uniform(0, 1, shape) > 0.5).astype(np.float64)
    pa = ac.tensor(p, requires_grad=True)
    loss = nn.SoftIoULoss(reduction="none", eps=eps)(pa, ac.tensor(t))
    per, inter, union = soft_iou_numpy(p, t, eps)
    np.testing.assert_allclose(loss.detach().numpy(), per, rtol=1e-12)
    for reduction, expected in (("mean", per.mean()), ("sum", per.sum())):
        np.testing.assert_allclose(F.soft_iou_loss(pa, ac.tensor(t), reduction, eps).item(),
                                   expected, rtol=1e-12)
    loss.sum().backward()
    expand = (slice(None),) + (None,) * (p.ndim - 1)
    i, u = inter[expand], union[expand]
    closed_form = (i * (1 - t) - u * t) / u ** 2  # d(1 - I/U)/dp
    np.testing.assert_allclose(pa.grad.numpy(), closed_form, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_soft_iou_gradcheck_both_inputs(reduction):
    rng = np.random.default_rng(17)
    p = ac.tensor(rng.uniform(0.05, 0.95, (2, 3, 3)), requires_grad=True)
    t = ac.tensor(rng.uniform(0.0, 1.0, (2, 3, 3)), requires_grad=True)
    assert ac.gradcheck(lambda p, t: F.soft_iou_loss(p, t, reduction), [p, t])
    assert ac.gradgradcheck(lambda p, t: F.soft_iou_loss(p, t, reduction), [p, t])


def test_soft_iou_of_perfect_and_disjoint_masks():
    mask = ac.tensor([[[1.0, 0.0], [1.0, 1.0]]])
    assert F.soft_iou_loss(mask, mask).item() == 0.0
    assert F.soft_iou_loss(mask, 1 - mask).item() == 1.0
    empty = ac.zeros(1, 2, 2)
    assert np.isnan(F.soft_iou_loss(empty, empty).item())
    assert F.soft_iou_loss(empty, empty, eps=1e-6).item() == 0.0


# -- modules: state, printing, legacy arguments -------------------------------------------


def test_weight_buffers_have_torch_keys_and_convert():
    w = ac.tensor([1.0, 2.0, 3.0])
    for name, kwargs in (("CrossEntropyLoss", {"weight": w}), ("NLLLoss", {"weight": w}),
                         ("BCELoss", {"weight": w}), ("MultiMarginLoss", {"weight": w}),
                         ("BCEWithLogitsLoss", {"weight": w, "pos_weight": w})):
        ours = getattr(nn, name)(**kwargs)
        theirs = getattr(torch.nn, name)(**{k: torch.tensor(v.numpy())
                                            for k, v in kwargs.items()})
        assert list(ours.state_dict()) == list(theirs.state_dict()), name
    loss = nn.CrossEntropyLoss(weight=w).double()
    assert loss.weight.dtype == np.float64
    assert list(nn.MSELoss().state_dict()) == []


def test_repr_lists_arguments_that_differ_from_defaults():
    assert repr(nn.CrossEntropyLoss()) == "CrossEntropyLoss()"
    assert repr(nn.HuberLoss(delta=2.0)) == "HuberLoss(delta=2.0)"
    assert repr(nn.CrossEntropyLoss(reduction="sum", label_smoothing=0.1)) == (
        "CrossEntropyLoss(reduction='sum', label_smoothing=0.1)")


@pytest.mark.parametrize("size_average,reduce", [(False, None), (None, False), (True, True)])
def test_legacy_size_average_and_reduce_like_torch(size_average, reduce):
    x = np.random.default_rng(18).standard_normal((4, 3))
    t = np.array([0, 2, 1, 1])
    with pytest.warns(UserWarning, match="size_average and reduce"):
        ours = nn.CrossEntropyLoss(size_average=size_average, reduce=reduce)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = torch.nn.CrossEntropyLoss(size_average=size_average, reduce=reduce)
    assert ours.reduction == theirs.reduction
    compare(ours, theirs, [x, t], [0], "float64")


# -- errors -------------------------------------------------------------------------------


def test_float_targets_to_nll_loss_say_what_to_do():
    with pytest.raises(TypeError, match=r"nll_loss.*float32.*\(3,\).*\(3, 4\).*long\(\)"):
        nn.NLLLoss()(ac.randn(3, 4), ac.tensor([0.0, 1.0, 2.0]))


def test_cross_entropy_target_errors():
    x = ac.randn(3, 4)
    with pytest.raises(IndexError, match=r"cross_entropy: target 4 is out of bounds.*\[0, 3\]"):
        F.cross_entropy(x, ac.tensor([0, 4, 1]))
    with pytest.raises(IndexError, match="out of bounds"):
        F.cross_entropy(x, ac.tensor([0, -1, 1]))
    with pytest.raises(ValueError, match=r"shape \(3,\).*got target of shape \(2,\)"):
        F.cross_entropy(x, ac.tensor([0, 1]))
    with pytest.raises(ValueError, match=r"\(N, C, d1, \.\.\.\).*\(2, 5\)"):
        F.cross_entropy(ac.randn(2, 4, 5), ac.tensor([[0, 1, 2]]))
    with pytest.raises(TypeError, match=r"neither class indices.*\(3,\).*probabilities"):
        F.cross_entropy(x, ac.tensor([0.0, 1.0, 2.0]))
    with pytest.raises(TypeError, match="class probabilities must be float"):
        F.cross_entropy(x, ac.zeros(3, 4).long())
    with pytest.raises(ValueError, match="ignore_index=1 is not supported"):
        F.cross_entropy(x, ac.zeros(3, 4), ignore_index=1)
    with pytest.raises(ValueError, match="label_smoothing"):
        F.cross_entropy(x, ac.tensor([0, 1, 2]), label_smoothing=1.5)
    with pytest.raises(ValueError, match=r"weight.*\(4,\).*\(3,\)"):
        F.cross_entropy(x, ac.tensor([0, 1, 2]), weight=ac.ones(3))
    with pytest.raises(RuntimeError, match=r"not differentiable with respect to weight"):
        F.cross_entropy(x, ac.tensor([0, 1, 2]), weight=ac.ones(4, requires_grad=True))
    with pytest.raises(ValueError, match="'avg' is not a valid value for reduction"):
        F.cross_entropy(x, ac.tensor([0, 1, 2]), reduction="avg")
    assert F.cross_entropy(x, ac.tensor([0, -100, 1])).shape == ()  # ignored: not an error


def test_binary_and_other_errors():
    with pytest.raises(ValueError, match=r"binary_cross_entropy.*\(3, 1\).*\(3,\)"):
        F.binary_cross_entropy(ac.rand(3), ac.rand(3, 1))
    with pytest.raises(RuntimeError, match="between 0 and 1.*with_logits"):
        F.binary_cross_entropy(ac.tensor([0.5, 1.5]), ac.tensor([0.0, 1.0]))
    with pytest.raises(TypeError, match=r"target must be a float.*int64.*float\(\)"):
        F.binary_cross_entropy_with_logits(ac.randn(2), ac.tensor([0, 1]))
    with pytest.raises(ValueError, match=r"pos_weight of shape \(2, 3\)"):
        F.binary_cross_entropy_with_logits(ac.randn(3), ac.rand(3), pos_weight=ac.ones(2, 3))
    with pytest.raises(ValueError, match="only p == 1 and p == 2"):
        nn.MultiMarginLoss(p=3)
    with pytest.raises(IndexError, match="multi_margin_loss: target 5 is out of bounds"):
        F.multi_margin_loss(ac.randn(2, 5), ac.tensor([0, 5]))
    with pytest.raises(ValueError, match="'batchmean' is not a valid"):
        F.mse_loss(ac.randn(2), ac.randn(2), reduction="batchmean")
    with pytest.raises(ValueError, match="soft_iou_loss.*one shape"):
        F.soft_iou_loss(ac.rand(2, 3), ac.rand(2, 4))
