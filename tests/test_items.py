from datetime import date

import pytest
from pydantic import ValidationError

from complaints_crawler.items import Business, Complaint, Response, ResponseKind, Source, Verdict

BUSINESS_REF = {"source": "bbb", "external_id": "1296-7011", "name": "Microsoft Corporation"}


def complaint(**overrides):
    values = {"source": "bbb", "external_id": "20520372", "business": BUSINESS_REF, "text": "Two controllers ordered."}
    return Complaint(**{**values, **overrides})


def test_good_complaint_parses_dates_enums_and_thread():
    c = complaint(
        filed_on="2023-08-25",
        status="Answered",
        responses=[
            {"position": 1, "kind": "business_response", "posted_on": "2023-09-01", "text": "Dear *****,"},
            {
                "position": 2,
                "kind": "customer_answer",
                "posted_on": date(2023, 9, 1),
                "text": "No.",
                "verdict": "rejected",
            },
        ],
    )
    assert c.source is Source.BBB
    assert c.filed_on == date(2023, 8, 25)
    assert [r.kind for r in c.responses] == [ResponseKind.BUSINESS_RESPONSE, ResponseKind.CUSTOMER_ANSWER]
    assert c.responses[1].verdict is Verdict.REJECTED
    assert c.key == ("bbb", "20520372")
    assert c.model_dump(mode="json")["filed_on"] == "2023-08-25"


def test_text_is_kept_verbatim():
    assert complaint(text="  Dear ****,\n\nsecond paragraph  ").text == "  Dear ****,\n\nsecond paragraph  "


@pytest.mark.parametrize(
    ("overrides", "location", "message"),
    [
        ({"text": "   "}, "text", "Value error, must not be blank"),
        ({"source": "yelp"}, "source", "Input should be 'bbb', 'consumercomplaints' or 'complaintsboard'"),
        ({"filed_on": "25/08/2023"}, "filed_on", "Input should be a valid date or datetime"),
        ({"photos_count": -1}, "photos_count", "Input should be greater than or equal to 0"),
        ({"stars": 5}, "stars", "Extra inputs are not permitted"),
        (
            {"responses": [{"position": 0, "kind": "reply", "text": "x"}]},
            "responses.0.position",
            "Input should be greater than or equal to 1",
        ),
        ({"responses": [{"position": 1, "kind": "rant", "text": "x"}]}, "responses.0.kind", "Input should be"),
        (
            {"responses": [{"position": 1, "kind": "reply", "text": "x", "verdict": "maybe"}]},
            "responses.0.verdict",
            "Input should be 'accepted' or 'rejected'",
        ),
    ],
)
def test_bad_values_are_rejected_with_the_field_and_reason(overrides, location, message):
    with pytest.raises(ValidationError) as caught:
        complaint(**overrides)
    errors = {".".join(map(str, e["loc"])): e["msg"] for e in caught.value.errors()}
    assert location in errors
    assert errors[location].startswith(message)


def test_assignment_is_validated():
    c = complaint()
    with pytest.raises(ValidationError, match="must not be blank"):
        c.text = ""
    with pytest.raises(ValidationError, match="valid date"):
        c.filed_on = "yesterday"


def test_business_requires_a_name_and_counts_are_non_negative():
    with pytest.raises(ValidationError, match="name"):
        Business(source="bbb", external_id="x")
    with pytest.raises(ValidationError, match="greater than or equal to 0"):
        Business(source="bbb", external_id="x", name="X", complaints_total=-5)
    assert (
        Business(
            source="consumercomplaints", external_id="b106391", name="Xiaomi India", resolved_count=259
        ).resolved_count
        == 259
    )


def test_response_text_must_not_be_blank():
    with pytest.raises(ValidationError, match="must not be blank"):
        Response(position=1, kind="comment", text="\n")
