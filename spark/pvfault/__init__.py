"""Pure functions of the PV fault pipeline (contracts, cleaning, windows, inference).

The Spark jobs in spark/jobs call these; they import no Spark so that they run and
are tested with plain numpy/pandas, here and in the EMR image.
"""
