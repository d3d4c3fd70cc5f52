def test_home_shows_the_six_steps(open_page):
    app = open_page("app_pages/home.py")
    headers = [element.value for element in app.subheader]
    assert [header.split(" · ")[0] for header in headers] == ["1", "2", "3", "4", "5", "6"]
    assert "Fit it" in headers[3]
