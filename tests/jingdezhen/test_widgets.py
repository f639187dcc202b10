"""Date fields are filled in ISO form in every language: <input type=date> reads nothing else."""

import datetime as dt

import pytest
from django.utils import translation

from livestreams.forms import SeriesForm
from merchants.forms import ReviewForm
from training.forms import CohortForm

DAY = dt.date(2026, 12, 3)


@pytest.mark.parametrize(
    ("form", "field"),
    [
        (ReviewForm, "follow_up_on"),
        (CohortForm, "starts_on"),
        (CohortForm, "ends_on"),
        (SeriesForm, "first_date"),
    ],
)
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_a_date_field_shows_its_date_in_iso_form(form, field, language):
    widget = form.base_fields[field].widget
    with translation.override(language):
        html = widget.render(field, DAY)
    assert 'type="date"' in html
    assert 'value="2026-12-03"' in html
