"""Statistical depth of text embeddings (TTE depth) and depth-based tests.

:class:`TTEDepth` (Seegmiller & Preum, EMNLP 2023) scores how central a text
embedding is within a reference corpus; :func:`depth_rank_sum_test` compares
two corpora by the depths of their texts (Liu & Singh's rank-sum test, with
both Q scores); :func:`select_central` picks the most representative examples,
overall or per class (few-shot prompt selection). Because the cosine TTE depth
reduces to alignment with the corpus mean direction, :class:`SpatialDepth`,
:class:`MahalanobisDepth`, :class:`ProjectionDepth` and
:class:`HalfspaceDepth` offer depths with the same API that stay meaningful
on centred data. :class:`DDPlotDisplay` and :class:`DepthHistogramDisplay` draw them
(matplotlib); :func:`embed_texts` embeds texts when sentence-transformers is
installed.

Examples
--------
>>> from statnorm.datasets import load_mgt_embeddings
>>> from statnorm.depth import depth_rank_sum_test
>>> emb = load_mgt_embeddings("truthfulqa")
>>> res = depth_rank_sum_test(emb.human[:300], emb.machine[300:600])
>>> res.pvalue < 1e-10
True
"""

from ._classifier import DepthClassifier
from ._embed import embed_texts
from ._multivariate import (
    HalfspaceDepth,
    MahalanobisDepth,
    ProjectionDepth,
    SpatialDepth,
)
from ._plot import DDPlotDisplay, DepthHistogramDisplay
from ._ranksum import DepthTestResult, depth_rank_sum_test, q_liu_singh, q_tte_depth
from ._select import select_central
from ._tte import IsotropicReferenceWarning, TTEDepth

__all__ = [
    "DDPlotDisplay",
    "DepthClassifier",
    "DepthHistogramDisplay",
    "DepthTestResult",
    "HalfspaceDepth",
    "IsotropicReferenceWarning",
    "MahalanobisDepth",
    "ProjectionDepth",
    "SpatialDepth",
    "TTEDepth",
    "depth_rank_sum_test",
    "embed_texts",
    "q_liu_singh",
    "q_tte_depth",
    "select_central",
]
