"""makemessages that files a template's strings in the catalogue of the app the template is for.

Each app keeps its own catalogue, `<app>/locale/zh_Hans/LC_MESSAGES/django.po`, and translators
edit those files. The app folders are listed in LOCALE_PATHS, so Django's makemessages already
puts a string from `merchants/views.py` in `merchants/locale/`; the page templates, though, live
in the top-level `templates/<app>/` and would all land in the first catalogue. Here a file under
`templates/<app>/` goes to `<app>/locale/` instead; the project-wide templates (base layout, error
pages, registration/) stay in the first one, jingdezhen's.
"""

import os
from pathlib import Path

from django.core.management.commands import makemessages


class Command(makemessages.Command):
    def find_files(self, root):
        files = super().find_files(root)
        by_app = {Path(path).parent.name: path for path in self.locale_paths}
        for file in files:
            parts = Path(file.dirpath).parts
            if len(parts) > 1 and parts[0] == "templates" and parts[1] in by_app:
                file.locale_dir = by_app[parts[1]]
        # Django creates only the first catalogue's folder; a new app's starts here.
        for locale_dir in {file.locale_dir for file in files} - {makemessages.NO_LOCALE_DIR}:
            os.makedirs(locale_dir, exist_ok=True)
        return files
