"""Extract every marked text into mnist_core/locales/messages.pot and update each language's .po.

    python scripts/update_translations.py [more.po ...]

Extra .po files given on the command line fill translations still missing (for example a
translator's file). Prints how many texts each language still lacks.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from mnist_core.i18n_catalogue import update_catalogues  # noqa: E402

if __name__ == "__main__":
    missing = update_catalogues([Path(argument) for argument in sys.argv[1:]])
    for language, count in missing.items():
        print(f"{language}: {count} texts without a translation")
