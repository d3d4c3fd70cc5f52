#!/usr/bin/env bash
# Set up (first time only) and run the app on the bundled MNIST data: http://localhost:8501
source "$(dirname "${BASH_SOURCE[0]}")/_venv.sh"
ensure_venv requirements.txt
cd "$ROOT"
exec "$VENV/bin/python" -m streamlit run app.py "$@"
