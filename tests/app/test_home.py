import subprocess
import sys
from pathlib import Path


def test_home_shows_the_six_steps(open_page):
    app = open_page("app_pages/home.py")
    headers = [element.value for element in app.subheader]
    assert [header.split(" · ")[0] for header in headers] == ["1", "2", "3", "4", "5", "6"]
    assert "Fit it" in headers[3]


def test_home_page_does_not_import_tensorflow():
    # A fresh interpreter, so nothing imported by other tests counts.
    code = (
        "import sys\n"
        "from streamlit.testing.v1 import AppTest\n"
        "app = AppTest.from_file(sys.argv[1], default_timeout=60).run()\n"
        "assert not app.exception, app.exception\n"
        "print('tensorflow' in sys.modules, 'keras' in sys.modules)\n"
    )
    output = subprocess.run(
        [sys.executable, "-c", code, str(Path(__file__).resolve().parents[2] / "app.py")],
        capture_output=True,
        text=True,
        check=True,
    )
    assert output.stdout.split()[-2:] == ["False", "False"]
