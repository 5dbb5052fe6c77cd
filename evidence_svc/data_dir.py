"""The data directory's permissions: older versions made it with the umask's mode (often 0755), so tenants' replies
and evidence in it could be read by every account on the machine; `evidence serve` and `evidence watch` tighten it
to 0700 on start.

Only a directory owned by the user running the service is changed (someone else's is left alone: it is not ours to
change, and a chmod would fail anyway); what was changed is returned for the caller to log, in English and Chinese.
This module changes one directory's mode and nothing else: it creates, moves and deletes nothing.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

PRIVATE = 0o700


def tighten_data_dir(path: Path) -> tuple[str, str] | None:
    """Make `path` 0700 when it exists, is a directory owned by this user and others may read or enter it; return
    the log line (English, Chinese) saying what changed, or None when nothing did."""
    try:
        st = os.stat(path)  # a link to the data directory counts as the directory
    except OSError:
        return None  # not made yet: the store makes it 0700
    if not stat.S_ISDIR(st.st_mode) or st.st_uid != os.getuid() or not st.st_mode & 0o077:
        return None
    old = stat.S_IMODE(st.st_mode)
    os.chmod(path, PRIVATE)
    return (f"data directory {path} was readable by others (mode {old:04o}, made by an older version): "
            f"tightened to {PRIVATE:04o}",
            f"数据目录 {path} 其他用户可读（权限 {old:04o}，由旧版本创建）：已收紧为 {PRIVATE:04o}")
