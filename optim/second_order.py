"""Quasi-Newton and Newton optimizers: `LBFGS` (as ``torch.optim.LBFGS``), `BFGS`, `Newton`.

All three see the parameters as one flat vector ``x`` (concatenated in order) and need a
``closure`` that re-evaluates the loss, because a step looks at the loss at several points.

- `LBFGS` keeps the last ``history_size`` pairs (s, y) and applies the inverse-Hessian
  approximation implicitly (the two-loop recursion): memory O(history * n).
- `BFGS` keeps the whole n x n inverse-Hessian approximation: for small problems.
- `Newton` forms the exact Hessian with double backward and solves with it: for tiny ones.

`BFGS` and `Newton` are not in PyTorch.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import numpy as np

import autograd_core
from autograd_core import Tensor

from .line_search import add_scaled, dot, strong_wolfe
from .optimizer import Optimizer

__all__ = ["LBFGS", "BFGS", "Newton"]

Closure = Callable[[], Any]


def _as_float(loss: Any, name: str) -> float:
    """The closure's loss as a Python float, or a clear error if it is not one number."""
    if isinstance(loss, Tensor):
        if loss.numel() != 1:
            raise ValueError(
                f"{name}.step: the closure must return a scalar loss, got a tensor of shape "
                f"{tuple(loss.shape)}; reduce it (e.g. loss.mean() or loss.sum())"
            )
        return float(loss._data.reshape(()))
    if isinstance(loss, (int, float, np.number)) and not isinstance(loss, bool):
        return float(loss)
    raise TypeError(f"{name}.step: the closure must return the loss (a one-element Tensor or "
                    f"a number), got {type(loss).__name__}")


def _require_closure(name: str, closure: Closure | None) -> Closure:
    """The closure, or a clear error saying why the step needs one."""
    if closure is None or not callable(closure):
        what = ("computes the loss and returns it (without calling backward)" if name == "Newton"
                else "clears the gradients, computes the loss, calls loss.backward() and "
                "returns the loss")
        raise TypeError(
            f"{name}.step needs a closure: a function that {what}, because the step evaluates "
            f"the loss itself. Call optimizer.step(closure)."
        )
    return closure


class _FlatOptimizer(Optimizer):
    """Shared plumbing: one parameter group seen as one flat vector, a required closure."""

    def __init__(self, params: Iterable[Any], defaults: dict[str, Any]) -> None:
        super().__init__(params, defaults)  # add_param_group refuses a second group
        self._params: list[Tensor] = self.param_groups[0]["params"]

    def add_param_group(self, param_group: dict[str, Any]) -> None:
        if self.param_groups:
            raise ValueError(f"{type(self).__name__} doesn't support per-parameter options "
                             "(parameter groups): it works on all parameters as one vector")
        super().add_param_group(param_group)

    def _evaluate(self, closure: Closure) -> tuple[Any, float]:
        """Run the closure with grad mode on; return its loss and that loss as a float."""
        with autograd_core.enable_grad():
            loss = closure()
        return loss, _as_float(loss, type(self).__name__)

    def _gather_flat_grad(self) -> np.ndarray:
        """All gradients as one new vector (zeros for a parameter with no gradient)."""
        views = [np.zeros(p._data.size, dtype=p.dtype) if p.grad is None
                 else p.grad._data.reshape(-1) for p in self._params]
        return np.concatenate(views)

    def _add_grad(self, step_size: Any, update: np.ndarray) -> None:
        """x <- x + step_size * update, in place on every parameter."""
        offset = 0
        for p in self._params:
            n = p._data.size
            p._data[...] = add_scaled(p._data, step_size, update[offset:offset + n].reshape(
                p._data.shape))
            p._bump_version()
            offset += n

    def _clone_param(self) -> list[np.ndarray]:
        return [p._data.copy() for p in self._params]

    def _set_param(self, params_data: list[np.ndarray]) -> None:
        for p, data in zip(self._params, params_data):
            p._data[...] = data
            p._bump_version()

    def _directional_evaluate(self, closure: Closure, x: list[np.ndarray], t: Any,
                              d: np.ndarray) -> tuple[float, np.ndarray]:
        """Loss and flat gradient at x + t d; the parameters are put back to x."""
        self._add_grad(t, d)
        _, loss = self._evaluate(closure)
        flat_grad = self._gather_flat_grad()
        self._set_param(x)
        return loss, flat_grad


def _check_common(name: str, max_iter: int, max_eval: int | None, tolerance_grad: float,
                  tolerance_change: float, line_search_fn: str | None) -> int:
    """Validate the arguments LBFGS and BFGS share; return max_eval (default max_iter*5//4)."""
    if not isinstance(max_iter, int) or max_iter < 1:
        raise ValueError(f"{name}: max_iter must be an integer >= 1, got {max_iter!r}")
    if max_eval is None:
        max_eval = max_iter * 5 // 4
    if not isinstance(max_eval, int) or max_eval < 1:
        raise ValueError(f"{name}: max_eval must be an integer >= 1, got {max_eval!r}")
    if tolerance_grad < 0 or tolerance_change < 0:
        raise ValueError(f"{name}: tolerances must be >= 0, got tolerance_grad="
                         f"{tolerance_grad}, tolerance_change={tolerance_change}")
    if line_search_fn not in (None, "strong_wolfe"):
        raise ValueError(f"{name}: line_search_fn must be None or 'strong_wolfe', "
                         f"got {line_search_fn!r}")
    return max_eval


class _QuasiNewton(_FlatOptimizer):
    """The loop LBFGS and BFGS share; subclasses say how to turn a gradient into a direction.

    ``_direction(state, flat_grad, d, t, prev_flat_grad)`` returns the new search direction
    given the step just taken (``s = t d``) and the change of gradient it caused.
    """

    def _first_direction(self, state: dict[str, Any], flat_grad: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def _direction(self, state: dict[str, Any], flat_grad: np.ndarray, d: np.ndarray, t: Any,
                   prev_flat_grad: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def _load(self, state: dict[str, Any]) -> None:
        """Unpack the subclass's memory from ``state`` before a step."""

    def _save(self, state: dict[str, Any]) -> None:
        """Pack the subclass's memory into ``state`` after a step."""

    @autograd_core.no_grad()
    def step(self, closure: Closure | None = None) -> Any:
        """Run up to ``max_iter`` iterations; return the loss from the closure's first call."""
        closure = _require_closure(type(self).__name__, closure)
        group = self.param_groups[0]
        lr = group["lr"]
        max_iter = group["max_iter"]
        max_eval = group["max_eval"]
        tolerance_grad = group["tolerance_grad"]
        tolerance_change = group["tolerance_change"]
        line_search_fn = group["line_search_fn"]

        # The state is global; it is filed under the first parameter, as in PyTorch.
        state = self.state[self._params[0]]
        state.setdefault("func_evals", 0)
        state.setdefault("n_iter", 0)

        orig_loss, loss = self._evaluate(closure)
        current_evals = 1
        state["func_evals"] += 1
        flat_grad = self._gather_flat_grad()
        opt_cond = np.abs(flat_grad).max() <= tolerance_grad
        if opt_cond:
            return orig_loss

        d = state["d"]._data if "d" in state else None
        t = state.get("t")
        prev_flat_grad = state["prev_flat_grad"]._data if "prev_flat_grad" in state else None
        prev_loss = state.get("prev_loss")
        self._load(state)

        n_iter = 0
        while n_iter < max_iter:
            n_iter += 1
            state["n_iter"] += 1

            # Search direction: steepest descent at first, then the quasi-Newton one.
            if state["n_iter"] == 1:
                d = self._first_direction(state, flat_grad)
            else:
                d = self._direction(state, flat_grad, d, t, prev_flat_grad)
            prev_flat_grad = flat_grad.copy()
            prev_loss = loss

            # Step length: the first step is scaled so it moves at most lr in l1 norm.
            if state["n_iter"] == 1:
                t = min(1.0, 1.0 / np.abs(flat_grad).sum()) * lr
            else:
                t = lr
            gtd = dot(flat_grad, d)  # slope along d
            if gtd > -tolerance_change:
                break  # not a descent direction (any more)

            ls_func_evals = 0
            if line_search_fn == "strong_wolfe":
                x_init = self._clone_param()

                def obj_func(x: list[np.ndarray], t: Any, d: np.ndarray) -> Any:
                    return self._directional_evaluate(closure, x, t, d)

                loss, flat_grad, t, ls_func_evals = strong_wolfe(
                    obj_func, x_init, t, d, loss, flat_grad, gtd,
                    max_ls=max_eval - current_evals)
                self._add_grad(t, d)
                opt_cond = np.abs(flat_grad).max() <= tolerance_grad
            else:
                self._add_grad(t, d)  # fixed step
                if n_iter != max_iter:  # the next step() re-evaluates anyway
                    _, loss = self._evaluate(closure)
                    flat_grad = self._gather_flat_grad()
                    opt_cond = np.abs(flat_grad).max() <= tolerance_grad
                    ls_func_evals = 1
            current_evals += ls_func_evals
            state["func_evals"] += ls_func_evals

            if n_iter == max_iter or current_evals >= max_eval or opt_cond:
                break
            if np.abs(d * t).max() <= tolerance_change:
                break  # the parameters barely move
            if abs(loss - prev_loss) < tolerance_change:
                break  # the loss barely moves

        state["d"] = Tensor._make(d)
        state["t"] = t
        self._save(state)
        state["prev_flat_grad"] = Tensor._make(prev_flat_grad)
        state["prev_loss"] = prev_loss
        return orig_loss


class LBFGS(_QuasiNewton):
    """L-BFGS, exactly as ``torch.optim.LBFGS`` (same arguments, state and iterates).

    Each ``step(closure)`` runs up to ``max_iter`` iterations. The inverse Hessian is never
    formed: the last ``history_size`` step/gradient-change pairs (s, y) with s . y > 1e-10
    define it, scaled by ``H_diag = s.y / y.y``, and the two-loop recursion applies it to
    the gradient in O(history * n). ``line_search_fn='strong_wolfe'`` picks each step
    length by a strong-Wolfe search; ``None`` takes the fixed step ``lr``.

    The closure clears the gradients, computes the loss, calls ``loss.backward()`` and
    returns the loss; it runs with grad mode on. Only one parameter group is supported.
    """

    def __init__(self, params: Iterable[Any], lr: float = 1, max_iter: int = 20,
                 max_eval: int | None = None, tolerance_grad: float = 1e-7,
                 tolerance_change: float = 1e-9, history_size: int = 100,
                 line_search_fn: str | None = None) -> None:
        if not 0.0 <= lr:
            raise ValueError(f"LBFGS: invalid learning rate {lr}: it must be >= 0")
        if not isinstance(history_size, int) or history_size < 1:
            raise ValueError(f"LBFGS: history_size must be an integer >= 1, "
                             f"got {history_size!r}")
        max_eval = _check_common("LBFGS", max_iter, max_eval, tolerance_grad, tolerance_change,
                                 line_search_fn)
        defaults = dict(lr=lr, max_iter=max_iter, max_eval=max_eval,
                        tolerance_grad=tolerance_grad, tolerance_change=tolerance_change,
                        history_size=history_size, line_search_fn=line_search_fn)
        super().__init__(params, defaults)

    def _first_direction(self, state: dict[str, Any], flat_grad: np.ndarray) -> np.ndarray:
        self._old_dirs: list[np.ndarray] = []  # the y's
        self._old_stps: list[np.ndarray] = []  # the s's
        self._ro: list[Any] = []  # 1 / (y . s)
        self._h_diag: Any = 1
        return -flat_grad

    def _direction(self, state: dict[str, Any], flat_grad: np.ndarray, d: np.ndarray, t: Any,
                   prev_flat_grad: np.ndarray) -> np.ndarray:
        history_size = self.param_groups[0]["history_size"]
        old_dirs, old_stps, ro = self._old_dirs, self._old_stps, self._ro
        y = flat_grad - prev_flat_grad
        s = d * t
        ys = dot(y, s)
        if ys > 1e-10:  # keep only pairs of positive curvature
            if len(old_dirs) == history_size:
                old_dirs.pop(0)
                old_stps.pop(0)
                ro.pop(0)
            old_dirs.append(y)
            old_stps.append(s)
            ro.append(1.0 / ys)
            self._h_diag = ys / dot(y, y)

        # Two-loop recursion: d = -H g with H built from the stored pairs over H_diag * I.
        num_old = len(old_dirs)
        if "al" not in state:
            state["al"] = [None] * history_size
        al = state["al"]
        q = -flat_grad
        for i in range(num_old - 1, -1, -1):
            al[i] = dot(old_stps[i], q) * ro[i]
            q = add_scaled(q, -al[i], old_dirs[i])
        r = q * self._h_diag
        for i in range(num_old):
            be_i = dot(old_dirs[i], r) * ro[i]
            r = add_scaled(r, al[i] - be_i, old_stps[i])
        return r

    def _load(self, state: dict[str, Any]) -> None:
        if "old_dirs" in state:
            self._old_dirs = [v._data for v in state["old_dirs"]]  # never changed in place
            self._old_stps = [v._data for v in state["old_stps"]]
            self._ro = list(state["ro"])
            self._h_diag = state["H_diag"]

    def _save(self, state: dict[str, Any]) -> None:
        state["old_dirs"] = [Tensor._make(v) for v in self._old_dirs]
        state["old_stps"] = [Tensor._make(v) for v in self._old_stps]
        state["ro"] = list(self._ro)
        state["H_diag"] = self._h_diag


class BFGS(_QuasiNewton):
    """BFGS with a dense inverse-Hessian approximation ``H`` (not in PyTorch).

    Newton's step is ``-inverse(Hessian) g``. BFGS learns the inverse Hessian from what the
    steps show: after a step ``s = x_new - x`` that changed the gradient by ``y``, the new
    ``H`` must map y back to s (the secant condition ``H y = s``, a finite-difference
    statement about curvature), stay symmetric, and change as little as possible. The
    closest such matrix is the rank-2 update, with ``rho = 1 / (y . s)``::

        H <- (I - rho s y^T) H (I - rho y s^T) + rho s s^T

    It keeps H positive definite whenever ``y . s > 0`` (which a Wolfe line search
    guarantees; pairs with ``y . s <= 1e-10`` are skipped). Before the first update ``H``
    is rescaled from the identity to ``(y . s / y . y) I``, the curvature seen along the
    first step, so the first quasi-Newton step has a sensible length. Everything else
    (first step, stopping tests, the strong-Wolfe search, ``max_iter`` iterations per
    ``step(closure)``) is as in `LBFGS`. Memory is O(n^2): for small problems.
    """

    def __init__(self, params: Iterable[Any], lr: float = 1, max_iter: int = 20,
                 max_eval: int | None = None, tolerance_grad: float = 1e-7,
                 tolerance_change: float = 1e-9,
                 line_search_fn: str | None = "strong_wolfe") -> None:
        if not 0.0 <= lr:
            raise ValueError(f"BFGS: invalid learning rate {lr}: it must be >= 0")
        max_eval = _check_common("BFGS", max_iter, max_eval, tolerance_grad, tolerance_change,
                                 line_search_fn)
        defaults = dict(lr=lr, max_iter=max_iter, max_eval=max_eval,
                        tolerance_grad=tolerance_grad, tolerance_change=tolerance_change,
                        line_search_fn=line_search_fn)
        super().__init__(params, defaults)

    def _first_direction(self, state: dict[str, Any], flat_grad: np.ndarray) -> np.ndarray:
        self._h: np.ndarray | None = None  # None: the identity, not yet scaled
        return -flat_grad

    def _direction(self, state: dict[str, Any], flat_grad: np.ndarray, d: np.ndarray, t: Any,
                   prev_flat_grad: np.ndarray) -> np.ndarray:
        y = flat_grad - prev_flat_grad
        s = d * t
        ys = dot(y, s)
        if ys > 1e-10:
            h = self._h
            if h is None:
                h = np.eye(len(s), dtype=s.dtype) * (ys / dot(y, y))
            rho = 1.0 / ys
            # Expanding (I - rho s y^T) H (I - rho y s^T) + rho s s^T with H symmetric:
            # H - rho (s (Hy)^T + (Hy) s^T) + (rho^2 y^T H y + rho) s s^T, in O(n^2).
            hy = h @ y
            self._h = (h - rho * (np.outer(s, hy) + np.outer(hy, s))
                       + (rho * rho * dot(y, hy) + rho) * np.outer(s, s))
        if self._h is None:
            return -flat_grad
        return -(self._h @ flat_grad)

    def _load(self, state: dict[str, Any]) -> None:
        self._h = state["H"]._data if "H" in state else None  # replaced, never changed

    def _save(self, state: dict[str, Any]) -> None:
        if self._h is not None:
            state["H"] = Tensor._make(self._h)


class Newton(_FlatOptimizer):
    """Newton's method with the exact Hessian (not in PyTorch): for a few parameters.

    Each ``step(closure)`` takes one step ``x <- x - lr * solve(H + damping I, g)``, where g
    and the Hessian H of the loss over all parameters (flattened in order) come from double
    backward: ``g = grad(loss, params, create_graph=True)``, then one more backward pass per
    entry of g for the rows of H (n passes for n numbers: keep n small). On a quadratic
    ``x^T A x / 2 - b^T x`` one step with ``lr=1`` lands on the minimum ``A^-1 b``.

    Plain Newton heads for any stationary point, maxima and saddles included. ``damping``
    (Levenberg-style) adds ``damping * I``: it makes a singular H solvable, shortens the
    steps, and once it exceeds H's most negative eigenvalue the step goes downhill.

    The closure only computes and returns the loss, with its graph: it must NOT call
    ``loss.backward()`` (that frees the graph this step differentiates twice), and it runs
    with grad mode on. ``.grad`` is left untouched. Parameters the loss does not depend on
    are left alone. Only one parameter group is supported. Returns the loss before the step.
    """

    def __init__(self, params: Iterable[Any], lr: float = 1, damping: float = 0) -> None:
        if not 0.0 <= lr:
            raise ValueError(f"Newton: invalid learning rate {lr}: it must be >= 0")
        if not 0.0 <= damping:
            raise ValueError(f"Newton: invalid damping {damping}: it must be >= 0")
        super().__init__(params, dict(lr=lr, damping=damping))

    def step(self, closure: Closure | None = None) -> Any:
        """One Newton step; returns the closure's loss (at the point before the step)."""
        closure = _require_closure("Newton", closure)
        group = self.param_groups[0]
        params = [p for p in self._params if p.requires_grad]
        with autograd_core.enable_grad():
            loss = closure()
            _as_float(loss, "Newton")
            if not isinstance(loss, Tensor) or loss.grad_fn is None or not params:
                raise RuntimeError(
                    "Newton.step: the closure's loss has no graph to differentiate; compute it "
                    "from the parameters (with requires_grad=True) inside the closure"
                )
            try:
                grads = autograd_core.grad(loss.reshape(()), params, create_graph=True,
                                           allow_unused=True)
            except RuntimeError as err:
                raise RuntimeError(
                    f"Newton.step: could not differentiate the closure's loss ({err}). The "
                    "closure must return the loss with its graph intact: don't call "
                    "loss.backward() inside it"
                ) from err
            used = [(p, g) for p, g in zip(params, grads) if g is not None]
            if not used:
                raise RuntimeError("Newton.step: the loss does not depend on any of the "
                                   "optimizer's parameters")
            hessian = self._hessian(used)
        flat_grad = np.concatenate([g._data.reshape(-1) for _, g in used])
        n = flat_grad.size
        if group["damping"]:
            hessian = hessian + group["damping"] * np.eye(n, dtype=hessian.dtype)
        try:
            delta = np.linalg.solve(hessian, flat_grad)
        except np.linalg.LinAlgError as err:
            raise np.linalg.LinAlgError(
                f"Newton.step: the {n}x{n} Hessian is singular ({err}); pass damping > 0 "
                "(Newton(params, damping=1e-3)) to solve with H + damping I"
            ) from err
        with autograd_core.no_grad():
            offset = 0
            for p, _ in used:
                size = p._data.size
                p._data -= group["lr"] * delta[offset:offset + size].reshape(p._data.shape)
                p._bump_version()
                offset += size
        return loss

    @staticmethod
    def _hessian(used: list[tuple[Tensor, Tensor]]) -> np.ndarray:
        """d2 loss / dx2: row k is the gradient of entry k of g = d loss / dx, over x."""
        params = [p for p, _ in used]
        n = sum(p._data.size for p in params)
        dtype = np.result_type(*[g._data for _, g in used])
        rows = np.zeros((n, n), dtype=dtype)
        k = 0
        for _, g in used:
            for j in range(g._data.size):
                if g.requires_grad:  # else g is constant in x: its rows stay zero
                    seed = np.zeros(g._data.size, dtype=g.dtype)
                    seed[j] = 1.0
                    second = autograd_core.grad(g, params, Tensor._make(seed.reshape(g.shape)),
                                                retain_graph=True, allow_unused=True)
                    rows[k] = np.concatenate([
                        np.zeros(p._data.size, dtype=dtype) if h is None
                        else h._data.reshape(-1) for p, h in zip(params, second)])
                k += 1
        return rows
