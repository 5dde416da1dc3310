"""Intake: a reporter's file to validated rows, one step per module.

- `decode`: bytes to text (UTF-8, UTF-16, Windows-1258), NFC (a streamed Windows-1258 text: its
  cells, by the validator); where undecodable bytes are.
- `read`: chooses the reader for a file and returns its table (`read_bytes`).
- `fast_reader`: regular UTF-8 files split by Polars line by line, streamed in chunks.
- `exact_reader`: everything else, through Python's csv module, streamed in chunks.
- `xlsx`: the first sheet of a workbook, as its Excel shows it.
- `header`: required columns, aliases, the header row's checks (shared by the readers).
- `table`: the Table type, the streamed-table protocol (`Rows`) and `whole()`.
- `validate`: the row rules (per chunk) and the file rules (number convention, keys).
- `check`: read and validate in one call, falling back to the exact reader (`check_bytes`).
- `numbers`, `limits`: number spellings; what one file may cost.

Constructors follow one rule: `stream_*` returns a table whose rows are read chunk by chunk
(`stream_text`, `stream_records`, `stream_lines`); `whole_*` returns a whole Table
(`whole_text`, `whole_records`, `whole_lines`, `whole_xlsx`), and `whole(t)` reads a stream whole.
"""
