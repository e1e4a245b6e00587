"""Optional text embedding through sentence-transformers (never imported by default)."""

import numpy as np

__all__ = ["embed_texts"]


def embed_texts(texts, *, model="all-MiniLM-L6-v2", batch_size=64, device="cpu"):
    """Embed texts with a sentence-transformers model (optional dependency).

    Parameters
    ----------
    texts : sequence of str
        Texts to embed.
    model : str or SentenceTransformer, default="all-MiniLM-L6-v2"
        A model name or path (loaded with
        ``sentence_transformers.SentenceTransformer``) or a loaded model
        (anything with an ``encode`` method).
    batch_size : int, default=64
        Encoding batch size.
    device : str, default="cpu"
        Torch device used when ``model`` is a name.

    Returns
    -------
    embeddings : ndarray of shape (n_texts, dim), dtype float32
        Unit-normalised embeddings.

    Raises
    ------
    ImportError
        If ``model`` is a name and sentence-transformers is not installed.
    TypeError
        If ``texts`` is a single string or holds non-strings.

    Examples
    --------
    >>> import numpy as np
    >>> from statnorm.depth import embed_texts
    >>> class Toy:  # any object with encode() works, e.g. a SentenceTransformer
    ...     def encode(self, texts, **kw):
    ...         return np.array([[len(t), 1.0] for t in texts])
    >>> embed_texts(["ab", "abcd"], model=Toy()).round(3)
    array([[0.894, 0.447],
           [0.97 , 0.243]], dtype=float32)
    """
    if isinstance(texts, str | bytes):
        raise TypeError("texts must be a sequence of strings, not a single string.")
    try:
        texts = list(texts)
    except TypeError:
        raise TypeError(
            f"texts must be a sequence of strings; got {type(texts).__name__}."
        ) from None
    if not texts:
        raise ValueError("texts is empty; at least 1 text is required.")
    if not all(isinstance(t, str) for t in texts):
        raise TypeError("texts must hold only str objects.")
    if isinstance(model, str):
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError as exc:
            raise ImportError(
                "embed_texts needs sentence-transformers (an optional "
                "dependency): pip install sentence-transformers."
            ) from exc
        model = SentenceTransformer(model, device=device)
    if not hasattr(model, "encode"):
        raise TypeError("model must be a name or an object with an encode method.")
    E = np.asarray(model.encode(texts, batch_size=batch_size), dtype=np.float32)
    norms = np.linalg.norm(E, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return E / norms
