"""Statistical depth of text embeddings (TTE depth).

This subpackage will hold ``TTEDepth`` (Seegmiller & Preum, EMNLP 2023),
the depth rank-sum test between corpora and central-example selection for
prompts. See issue 6.

Nothing public is exported yet.

Examples
--------
>>> import statnorm.depth
>>> statnorm.depth.__all__
[]
"""

__all__: list[str] = []
