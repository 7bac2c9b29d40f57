"""The example vault answers the README's main job."""


def test_stale_lists_the_neglected_example_accounts_oldest_first(run):
    r = run("stale", "--days", "30", "--json")
    assert r.exit_code == 0, r.stderr
    import json

    titles = [row["title"] for row in json.loads(r.stdout)]
    assert titles[0] == "Acme Corp"
    assert "1 note skipped (malformed frontmatter)" in r.stderr
