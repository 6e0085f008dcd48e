"""Our own API, /api/v1, against its OpenAPI 3.1 description: generated requests (schemathesis), bounded.

Every answer must match the description (status, content type, schema) and none may be a 5xx. The
run is derandomized so that CI sends the same requests each time.
"""

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

from catalogue import create_app
from catalogue.facts import fields
from catalogue.opendata import openapi

EXAMPLES = 60


@pytest.fixture(scope="module")
def described(tmp_path_factory):
    root = Path(__file__).parent
    app = create_app(
        {"CONTENT_DIR": root / "fixtures" / "content", "INDEX_DIR": tmp_path_factory.mktemp("openapi-index"),
         "SQLALCHEMY_DATABASE_URI": "sqlite://", "TESTING": True}
    )  # fmt: skip
    return app


@pytest.mark.system  # a bounded generated run, like the fuzz test: `make test` sends it, `make check` does not
@pytest.mark.parametrize("mode", ["positive", "negative"])  # requests the description allows, and ones it forbids
def test_every_answer_matches_the_description_and_none_is_a_server_error(described, mode):
    import schemathesis  # imported here: loading it costs every other test run a second

    schema = schemathesis.openapi.from_dict(openapi.description("http://localhost"))
    for operation in schema.get_all_operations():
        strategy = operation.ok().as_strategy(generation_mode=schemathesis.GenerationMode(mode))

        @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                  suppress_health_check=list(HealthCheck))  # fmt: skip
        @given(case=strategy)
        def answers_as_described(case):
            case.call_and_validate(app=described, headers={"Accept-Encoding": "identity"})  # in-process: no decoding

        answers_as_described()


def test_the_description_is_the_one_served(client):
    """The description the generated run reads is the one the site serves."""
    assert client.get("/api/v1/openapi.json").get_json() == openapi.description("http://localhost")


def test_every_provider_field_is_described():
    provider = openapi.description("http://localhost")["components"]["schemas"]["Provider"]["properties"]
    assert {field.key for field in fields.FIELDS} <= set(provider)


def test_the_description_names_the_public_address(client):
    body = client.get("/api/v1/openapi.json").get_json()
    assert body["openapi"] == "3.1.0" and body["servers"] == [{"url": "http://localhost/api/v1"}]
    assert client.get("/api/v1/openapi.json").headers["Access-Control-Allow-Origin"] == "*"
