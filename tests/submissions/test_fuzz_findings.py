"""What schemathesis (`make fuzz`) found in the submission routes, one regression test each."""

from app.main import create_app
from tests.submissions.conftest import PLAN, draft


async def test_an_if_match_that_is_no_etag_of_ours_is_a_declared_428(client, world) -> None:  # type: ignore[no-untyped-def]
    # `If-Match:` (empty) on review answered 428, which only PUT declared.
    created = (await client.post(f"/api/v1/plans/{PLAN}/submissions", headers=world.health,
                                 json=draft(submit=True))).json()
    paths = create_app().openapi()["paths"]
    for action, headers, body in (("review", world.admin, {"decision": "accept"}), ("submit", world.health, None)):
        assert "428" in paths[f"/api/v1/submissions/{{submission_id}}/{action}"]["post"]["responses"], action
        if action == "submit":  # a submitted one can be submitted again only after it is returned
            returned = await client.post(f"/api/v1/submissions/{created['id']}/review", headers=world.admin,
                                         json={"decision": "return", "comment": "请补充数据来源"})
            assert returned.status_code == 200, returned.text
        for if_match in ("", "not-an-etag"):
            response = await client.post(f"/api/v1/submissions/{created['id']}/{action}", json=body,
                                         headers={**headers, "If-Match": if_match})
            assert response.status_code == 428, (action, if_match, response.text)
            assert response.headers["content-type"] == "application/problem+json"
