"""year_crosstab: a missing year, however pandas holds it, is one "(not stated)" row, last."""

from __future__ import annotations

import pandas as pd
import pytest

from litrev.synthesis.tables import NOT_STATED, year_crosstab


@pytest.mark.parametrize("dtype", [object, "string"])
def test_blank_none_and_na_years_show_as_not_stated_after_the_years(dtype: object) -> None:
    years = pd.Series(["1998", "  ", "", None, pd.NA, "undated", "2000"], dtype=dtype)  # type: ignore[call-overload]
    studies = pd.DataFrame({"yr": years, "kind": ["x", "y", "x", "y", "x", "y", "x"]})
    table = year_crosstab(studies, "yr", "kind", ["x", "y"])
    assert table.index.tolist() == ["1998", "1999", "2000", "undated", NOT_STATED, "Total"]
    assert table.loc[NOT_STATED].tolist() == [2, 2, 4]  # "  ", "", None, pd.NA
    assert table.loc["Total", "Total"] == len(studies)  # no study dropped
