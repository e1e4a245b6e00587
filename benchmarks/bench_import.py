"""Import-time and data-loading benchmarks (the package's fixed costs)."""

from .common import Benchmark


class Import(Benchmark):
    def timeraw_import_statnorm(self):
        return "import statnorm"

    def timeraw_import_datasets(self):
        return "import statnorm.datasets"


class LoadDatasets(Benchmark):
    params = ["cifar10_logits", "roman_cups", "mgt_embeddings", "diamonds"]
    param_names = ["dataset"]

    def setup(self, dataset):
        from statnorm import datasets

        self.loader = {
            "cifar10_logits": datasets.load_cifar10_logits,
            "roman_cups": datasets.load_roman_cups,
            "mgt_embeddings": datasets.load_mgt_embeddings,
            "diamonds": datasets.load_diamonds,
        }[dataset]

    def time_load(self, dataset):
        self.loader()

    def peakmem_load(self, dataset):
        self.loader()


class DiamondsVsPandas(Benchmark):
    """Our csv loader against pandas.read_csv, the peer for a CSV table."""

    def setup(self):
        try:
            import pandas  # noqa: F401
        except ImportError as exc:
            raise NotImplementedError("pandas not installed") from exc

    def time_statnorm(self):
        from statnorm.datasets import load_diamonds

        load_diamonds(return_X_y=True)

    def time_peer_pandas(self):
        import pandas as pd

        from statnorm.datasets._base import _path

        with _path("diamonds.csv.gz").open("rb") as f:
            pd.read_csv(f, compression="gzip")
