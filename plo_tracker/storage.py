"""File storage that never leaves a half-written file under a stored name.

Django's ``FileSystemStorage`` writes straight into the file's final name, so a process killed
mid-write (or a full disk) leaves a truncated file there. Here the bytes go to a hidden temporary
file in the same folder first, and only a complete file is linked to its name (``os.link`` fails
rather than replace a file that is there, as Django's exclusive create does).
"""

from __future__ import annotations

import os
import tempfile

from django.core.files.storage import FileSystemStorage

PARTIAL_PREFIX = ".partial-"


class AtomicFileSystemStorage(FileSystemStorage):
    def _save(self, name, content):
        full_path = self.path(name)
        directory = os.path.dirname(full_path)
        os.makedirs(directory, mode=self.directory_permissions_mode or 0o777, exist_ok=True)
        descriptor, partial = tempfile.mkstemp(dir=directory, prefix=PARTIAL_PREFIX)
        try:
            with os.fdopen(descriptor, "wb") as out:
                if hasattr(content, "seek"):
                    content.seek(0)
                for chunk in content.chunks():
                    out.write(chunk if isinstance(chunk, bytes) else chunk.encode())
                out.flush()
                os.fsync(out.fileno())
            os.chmod(partial, self.file_permissions_mode if self.file_permissions_mode is not None else 0o644)
            while True:
                try:
                    os.link(partial, full_path)
                    break
                except FileExistsError:  # taken meanwhile: the next free name, as Django does
                    name = self.get_available_name(name)
                    full_path = self.path(name)
                except OSError:  # a filesystem without hard links: a rename is atomic too
                    if os.path.exists(full_path):
                        name = self.get_available_name(name)
                        full_path = self.path(name)
                        continue
                    os.rename(partial, full_path)
                    break
        finally:
            if os.path.exists(partial):
                os.unlink(partial)
        return str(name).replace("\\", "/")
