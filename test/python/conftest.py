import os
import sys

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
FIXTURES = os.path.join(REPO, "test", "fixtures")
sys.path.insert(0, os.path.join(REPO, "spark"))


def pytest_configure(config):
    # A library's deprecation that points at our own code (a pandas cast that will raise, a numpy
    # alias that will go) fails the run here, while its fix is one line, not after an upgrade in
    # production. Warnings raised inside the libraries themselves stay warnings.
    for category in ("FutureWarning", "DeprecationWarning"):
        config.addinivalue_line("filterwarnings", "error::%s:pvfault" % category)
        config.addinivalue_line("filterwarnings", "error::%s:jobs" % category)
