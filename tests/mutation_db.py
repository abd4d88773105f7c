"""For `make mutation` only (tests/conftest.py loads it when MUTATION_DB_TEMPLATE is set): a test database in a second.

mutmut runs the selected tests once per mutant, each time in a new pytest session. Building
the SQLite test database with every migration takes 15-25 s, far longer than the tests a mutant
needs. `make mutation` migrates one SQLite file once (`MUTATION_DB_TEMPLATE`); every session
here copies it to a file of its own (one per process: mutmut runs several at once) and uses it
as the test database without running the migrations again. Ordinary runs never load this plugin.
"""

import os
import shutil

import pytest
from django.db import connections


@pytest.fixture(scope="session")
def django_db_setup(django_test_environment, django_db_blocker):
    template = os.environ["MUTATION_DB_TEMPLATE"]
    path = f"{template}.{os.getpid()}"
    shutil.copyfile(template, path)
    connection = connections["default"]
    connection.close()
    connection.settings_dict["NAME"] = path
    yield
    connection.close()
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(path + suffix):
            os.remove(path + suffix)
