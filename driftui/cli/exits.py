"""The exit codes every command shares, as ``kubectl diff`` and ``flux diff`` use them.

0: in sync, or everything asked for was done. 1: drift found. 2: an error, a usage error, or
nothing was changed. 3: partly done (some changes made, others failed or were skipped).
"""

EXIT_OK, EXIT_DRIFT, EXIT_ERROR, EXIT_PARTIAL = 0, 1, 2, 3
