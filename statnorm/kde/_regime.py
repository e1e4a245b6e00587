"""The regime report of a fitted HighDimKDE and its warning class."""

from dataclasses import dataclass, fields

import numpy as np

from ..exceptions import StatnormWarning
from ..results import Result, SummaryTable

__all__ = ["KDERegimeReport", "KDERegimeWarning"]


class KDERegimeWarning(StatnormWarning):
    """Warn that a KDE is in the heavy-tailed or extreme-value regime.

    There a few data points carry the estimate, its fluctuations have
    (asymptotically) infinite variance, and error bars built from the
    variance of kernel values are meaningless. This is not necessarily a bad
    bandwidth: the KL-optimal bandwidth lies in the extreme-value regime.

    Examples
    --------
    >>> from statnorm.kde import KDERegimeWarning
    >>> from statnorm.exceptions import StatnormWarning
    >>> issubclass(KDERegimeWarning, StatnormWarning)
    True
    """


@dataclass(frozen=True, repr=False)
class KDERegimeReport(Result):
    """Which statistical regime a kernel density estimate is in.

    Returned by :meth:`HighDimKDE.regime_report`. The first group of fields
    is measured on the data (valid for any density); the second is the
    Gaussian reference of :mod:`statnorm.kde.theory` (exact only as
    ``d -> inf`` for whitened Gaussian data; at d = 20-150 the real
    thresholds are 5-12 % higher).

    Parameters
    ----------
    regime : str
        ``"clt"``, ``"stable"`` or ``"extreme"``, from the median ``mu_hat``
        (``>= 2``, ``[1, 2)``, ``< 1``).
    mu_hat : float
        Median over queries of the local stable index (Hill estimate).
    n_eff_median : float
        Median over queries of ``N_eff = 1 / sum_i w_i(x)^2``, the effective
        number of data points that carry the estimate.
    max_weight_median : float
        Median over queries of the largest normalised kernel weight.
    bandwidth_whitened : float
        Bandwidth ``h`` in data-scale units.
    alpha : float
        ``log(n_eff) / d``.
    n_features : int
        Dimension ``d``.
    n_eff_data : float
        Effective number of data points.
    h_G, h_CLT, h_KL : float
        Gaussian-reference thresholds at ``alpha`` (whitened units).
    mu : float
        Gaussian-reference stable index ``(h / h_G)^2``.
    regime_gaussian : str
        Regime predicted by the Gaussian reference.
    h_G_hat : float
        Data-driven ``h_G``: ``h / sqrt(mu_hat)``.
    leave_one_out : bool
        Whether the queries were training points left out of their own sum.
    k : int
        Hill order.
    n_eff_query, max_weight, mu_hat_query : ndarray of shape (m,)
        Per-query values.

    Examples
    --------
    >>> import numpy as np
    >>> from statnorm.kde import HighDimKDE
    >>> X = np.random.default_rng(0).standard_normal((3000, 30))
    >>> rep = HighDimKDE(bandwidth=3.0).fit(X).regime_report(random_state=0)
    >>> rep.regime, rep.regime_gaussian, rep.n_eff_median > 100
    ('clt', 'clt', True)
    """

    regime: str
    mu_hat: float
    n_eff_median: float
    max_weight_median: float
    bandwidth_whitened: float
    alpha: float
    n_features: int
    n_eff_data: float
    h_G: float
    h_CLT: float
    h_KL: float
    mu: float
    regime_gaussian: str
    h_G_hat: float
    leave_one_out: bool
    k: int
    n_eff_query: np.ndarray
    max_weight: np.ndarray
    mu_hat_query: np.ndarray

    @property
    def error_bars_valid(self):
        """Whether variance-based error bars make sense (median ``mu_hat >= 2``)."""
        return self.mu_hat >= 2.0

    @property
    def warning(self):
        """Plain-language reading of the regime (empty in the CLT regime)."""
        if self.error_bars_valid:
            return ""
        if self.regime == "extreme":
            what = (
                f"extreme-value regime: a median of {self.n_eff_median:.3g} data "
                f"point(s) carry the estimate (largest weight "
                f"{self.max_weight_median:.2f})"
            )
        else:
            what = "heavy-tailed (alpha-stable) regime"
        return (
            f"The KDE is in the {what}; local stable index mu_hat = "
            f"{self.mu_hat:.2f} < 2, so variance-based error bars are meaningless "
            "(the variance is carried by events that almost never occur). This "
            "is not necessarily a bad bandwidth: the KL-optimal bandwidth lies in "
            "the extreme-value regime."
        )

    def summary(self, *, max_rows=None):
        """Return the report as a :class:`~statnorm.results.SummaryTable`.

        Returns
        -------
        table : SummaryTable
            Printable as text, Markdown or HTML.
        """
        q = lambda v: np.quantile(v, [0.1, 0.5, 0.9])
        rows = [
            ["regime (data, median mu_hat)", self.regime],
            ["regime (Gaussian reference)", self.regime_gaussian],
            ["bandwidth h (whitened)", self.bandwidth_whitened],
            ["alpha = log(n_eff)/d", self.alpha],
            ["d / n_eff", f"{self.n_features} / {self.n_eff_data:.6g}"],
            [
                "h_G / h_CLT / h_KL (Gaussian ref.)",
                f"{self.h_G:.4g} / {self.h_CLT:.4g} / {self.h_KL:.4g}",
            ],
            [
                "mu (Gaussian ref.) / h_G from data",
                f"{self.mu:.4g} / {self.h_G_hat:.4g}",
            ],
            ["mu_hat 10/50/90 %", " / ".join(f"{v:.3g}" for v in q(self.mu_hat_query))],
            ["N_eff 10/50/90 %", " / ".join(f"{v:.3g}" for v in q(self.n_eff_query))],
            [
                "max weight 10/50/90 %",
                " / ".join(f"{v:.3g}" for v in q(self.max_weight)),
            ],
        ]
        notes = [
            f"{self.mu_hat_query.size} queries"
            + (" (training points, left out)" if self.leave_one_out else "")
            + f"; Hill order k = {self.k}. Gaussian reference: d -> inf theory "
            "(derived in the Biroli-Mezard setting)."
        ]
        if self.warning:
            notes.append("WARNING: " + self.warning)
        return SummaryTable(
            "HighDimKDE regime report", ("quantity", "value"), tuple(rows), tuple(notes)
        )

    def __str__(self):
        return str(self.summary())

    def __repr__(self):
        parts = []
        for f in fields(self):
            v = getattr(self, f.name)
            if isinstance(v, np.ndarray):
                v = f"<array of shape {v.shape}>"
            elif isinstance(v, float):
                v = f"{v:.4g}"
            else:
                v = repr(v)
            parts.append(f"{f.name}={v}")
        return f"KDERegimeReport({', '.join(parts)})"
