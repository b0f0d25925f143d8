#!/usr/bin/python3
"""Verdicts by month and donor, notebook style: load an ACLED export,
assess it, count each donor's verdicts per month, plot them.

usage: verdicts_by_month.py [EXPORT.csv] [OUT.png]
(defaults: the sample dataset, verdicts_by_month.png).  Run by ctest
(python_example) with the build's module on PYTHONPATH; installed, the
module is in PREFIX/lib/python3/dist-packages.
"""
# %% Load
import os
import sys

import matplotlib

matplotlib.use("Agg")  # no display: write a file
import matplotlib.pyplot as plt
import pandas as pd

import caveat

here = os.path.dirname(os.path.abspath(__file__))
export = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "..", "data", "sample-acled.csv")
out = sys.argv[2] if len(sys.argv) > 2 else "verdicts_by_month.png"
engine = caveat.Engine(cache=os.environ.get("CAVEAT_CACHE"))
events = caveat.read_acled(export)
print(f"{len(events)} events; caveat {caveat.version()}, policies as of {engine.as_of}")

# %% Assess: one row out per event, the columns of 'caveat assess --output csv'
verdicts = engine.assess_frame(events)
print(verdicts["verdict"].value_counts().to_string())

# %% Each donor's verdict per month, for the events about that donor
long = verdicts.melt(id_vars=["date"], value_vars=engine.donors, var_name="donor",
                     value_name="donor_verdict")
long = long[long["donor_verdict"].astype(str) != "-"].dropna(subset=["donor_verdict"])
long["month"] = long["date"].dt.to_period("M").dt.to_timestamp()
table = (long.groupby(["month", "donor", "donor_verdict"], observed=True).size()
         .unstack("donor_verdict", fill_value=0))
print(table.to_string())

# %% Plot: a panel per donor, stacked bars of verdicts per month
donors = sorted(long["donor"].unique())
colours = {"permitted": "#1b9e77", "forbidden": "#d95f02", "undetermined": "#7570b3",
           "not-covered": "#999999"}
fig, axes = plt.subplots(len(donors), 1, figsize=(8, 2.2 * len(donors)), sharex=True,
                         squeeze=False)
for ax, donor in zip(axes[:, 0], donors):
    part = table.xs(donor, level="donor")
    bottom = pd.Series(0, index=part.index)
    for verdict in caveat.VERDICTS:
        if verdict in part:
            ax.bar(part.index, part[verdict], bottom=bottom, width=20, label=verdict,
                   color=colours[verdict])
            bottom = bottom + part[verdict]
    ax.set_ylabel(donor)
axes[0, 0].legend(loc="upper left", fontsize="small")
axes[0, 0].set_title("Verdicts by month, per donor whose weapon it was")
fig.tight_layout()
fig.savefig(out, dpi=80)
print(f"wrote {out}")
