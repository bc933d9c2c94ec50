"""Reading facet counts back from the grouping-set rows the PostgreSQL backend returns."""

from marketplace.search.backends.postgres import _facets


def _row(k, n, category_id=None, location_type=None, f0=None, f1=None):
    return {"k": k, "n": n, "category_id": category_id, "location_type": location_type, "f0": f0, "f1": f1}


def test_multiple_choice_values_count_once_per_element_and_scalars_read_as_json():
    # Columns: category_id, location_type, f0, f1 -> GROUPING bits 8, 4, 2, 1 (set = not grouped);
    # all set = the total.
    groups = [
        _row(0b1111, 7),
        _row(0b1011, 4, location_type="online"),
        _row(0b1011, 3, location_type="hybrid"),
        _row(0b1110, 2, f1='["French", "German"]'),
        _row(0b1110, 3, f1='["French"]'),
        _row(0b1110, 2, f1=None),  # listings without the attribute
        _row(0b1101, 5, f0="true"),
        _row(0b1101, 2, f0="2.5"),
    ]

    total, facets = _facets(groups, ("certified", "languages"))

    assert total == 7
    assert facets["location_type"] == {"online": 4, "hybrid": 3}
    assert facets["attributes.languages"] == {"French": 5, "German": 2}
    assert facets["attributes.certified"] == {"true": 5, "2.5": 2}
    assert facets["category"] == {}


def test_an_empty_match_has_a_zero_total_and_empty_facets():
    total, facets = _facets([_row(0b1111, 0)], ("certified", "languages"))

    assert total == 0
    assert facets == {"category": {}, "location_type": {}, "attributes.certified": {}, "attributes.languages": {}}
