"""What the tests share: the CLI runner, warehouse helpers, the Windows-1258 encoder and the
intake fixture builder. Fixtures stay in conftest.py files; plain helpers live here."""
