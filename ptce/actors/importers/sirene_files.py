"""Reading SIRENE files: the INSEE zip, CSV or Parquet streamed as batches of string
columns found by header name, with French messages for unreadable files. No Django import."""

from __future__ import annotations

import csv
import re
import zipfile
import zlib
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Final

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

CSV_BLOCK_BYTES = 4 << 20  # see the module docstring
PARQUET_BATCH_ROWS = 65_536
MASKED: Final = "[ND]"  # INSEE's mark for a value hidden by partial diffusion
LA_POSTE_SIREN: Final = 356_000_000
LA_POSTE_HEAD_OFFICE: Final = 35_600_000_000_048  # Luhn-valid, unlike La Poste's other SIRETs
_HEADER_PROBE_BYTES: Final = 1 << 20


class SireneImportError(Exception):
    """The import cannot go on (unreadable file, missing column...); nothing is written."""


# --------------------------------------------------------------------------- the files


@dataclass(frozen=True)
class Batch:
    """Rows `first_line`... of a file (line 1 is the header), as string columns."""

    first_line: int
    columns: dict[str, pa.Array]
    length: int

    def __getitem__(self, name: str) -> pa.Array:
        return self.columns[name]


def detect_format(path: Path, label: str) -> str:
    """The file's format, "zip", "parquet" or "csv", from its first bytes."""
    try:
        with path.open("rb") as f:
            magic = f.read(4)
    except FileNotFoundError:
        raise SireneImportError(f"{label} : fichier introuvable ({path}).") from None
    except OSError as exc:
        raise SireneImportError(f"{label} : lecture impossible ({exc}).") from exc
    if magic.startswith(b"PK"):
        return "zip"
    if magic == b"PAR1":
        return "parquet"
    if path.suffix.lower() == ".zip":
        raise SireneImportError(f"{label} : {path.name} n'est pas une archive zip.")
    if path.suffix.lower() == ".parquet":
        raise SireneImportError(f"{label} : {path.name} n'est pas un fichier Parquet.")
    if not magic:
        raise SireneImportError(f"{label} : le fichier {path.name} est vide.")
    return "csv"


class TableFile:
    """One input file: its header (checked against the columns wanted) and its batches."""

    def __init__(
        self,
        path: Path,
        label: str,
        *,
        wanted: Sequence[str],
        required: Sequence[str],
        delimiter: str | None = ",",
    ) -> None:
        """`delimiter=None` accepts ";" or ",", whichever the header uses."""
        self.path = path
        self.label = label
        self.kind = detect_format(path, label)
        self.delimiter = delimiter or ","
        header = self._parquet_header() if self.kind == "parquet" else self._csv_header(delimiter)
        missing = [name for name in required if name not in header]
        if missing:
            raise SireneImportError(_missing_message(label, missing, header, self.delimiter))
        self.present = [name for name in wanted if name in header]
        self.absent = [name for name in wanted if name not in header]

    # -- header

    def _csv_header(self, delimiter: str | None) -> list[str]:
        try:
            with self._stream() as stream:
                raw = _first_line(stream)
        except _READ_ERRORS as exc:
            raise SireneImportError(_read_error_message(self.label, exc)) from exc
        try:
            line = raw.rstrip(b"\r").decode("utf-8-sig")
        except UnicodeDecodeError:
            raise SireneImportError(
                f"{self.label} : en-tête illisible (encodage UTF-8 attendu)."
            ) from None
        if delimiter is None:
            self.delimiter = ";" if line.count(";") > line.count(",") else ","
        return [name.strip() for name in next(csv.reader([line], delimiter=self.delimiter), [])]

    def _parquet_header(self) -> list[str]:
        try:
            return list(pq.ParquetFile(self.path).schema_arrow.names)
        except (pa.ArrowException, OSError) as exc:
            raise SireneImportError(f"{self.label} : fichier Parquet illisible ({exc}).") from exc

    @contextmanager
    def _stream(self) -> Iterator[IO[bytes]]:
        if self.kind == "csv":
            with self.path.open("rb") as f:
                yield f
            return
        try:
            archive = zipfile.ZipFile(self.path)
        except (zipfile.BadZipFile, OSError, EOFError) as exc:
            raise SireneImportError(
                f"{self.label} : archive zip illisible ou tronquée ({exc})."
            ) from exc
        with archive:
            members = [i for i in archive.infolist() if i.filename.lower().endswith(".csv")]
            if len(members) != 1:
                raise SireneImportError(
                    f"{self.label} : l'archive doit contenir un seul fichier CSV "
                    f"({len(members)} trouvé(s))."
                )
            with archive.open(members[0]) as member:
                yield member

    # -- batches

    def batches(self) -> Iterator[Batch]:
        """The rows, batch after batch; reading errors become `SireneImportError`."""
        produce = self._parquet_batches if self.kind == "parquet" else self._csv_batches
        line = 2
        source = produce()
        while True:
            try:
                columns = next(source)
            except StopIteration:
                return
            except _READ_ERRORS as exc:
                raise SireneImportError(_read_error_message(self.label, exc)) from exc
            length = len(columns[self.present[0]]) if self.present else 0
            for name in self.absent:
                columns[name] = _blank(length)
            yield Batch(line, columns, length)
            line += length

    def _csv_batches(self) -> Iterator[dict[str, pa.Array]]:
        convert = pacsv.ConvertOptions(
            include_columns=self.present,
            column_types=dict.fromkeys(self.present, pa.string()),
            strings_can_be_null=False,
            quoted_strings_can_be_null=False,
        )
        with self._stream() as stream:
            reader = pacsv.open_csv(
                stream,
                read_options=pacsv.ReadOptions(block_size=CSV_BLOCK_BYTES),
                parse_options=pacsv.ParseOptions(delimiter=self.delimiter, newlines_in_values=True),
                convert_options=convert,
            )
            for record_batch in reader:
                yield {name: record_batch.column(name) for name in self.present}

    def _parquet_batches(self) -> Iterator[dict[str, pa.Array]]:
        parquet = pq.ParquetFile(self.path)
        for record_batch in parquet.iter_batches(
            batch_size=PARQUET_BATCH_ROWS, columns=self.present
        ):
            yield {name: as_text(record_batch.column(name), name) for name in self.present}


def _first_line(stream: IO[bytes]) -> bytes:
    data = b""
    while b"\n" not in data and len(data) < _HEADER_PROBE_BYTES:
        chunk = stream.read(1 << 16)
        if not chunk:
            break
        data += chunk
    return data.split(b"\n", 1)[0]


_READ_ERRORS = (pa.ArrowException, OSError, EOFError, zipfile.BadZipFile, zlib.error, ValueError)
_COLUMN_COUNT = re.compile(r"Expected (\d+) columns, got (\d+)")


def _read_error_message(label: str, exc: BaseException) -> str:
    text = str(exc)
    counted = _COLUMN_COUNT.search(text)
    if counted:
        expected, got = counted.groups()
        return (
            f"{label} : ligne mal formée ({got} colonne(s) au lieu de {expected}) ; "
            "fichier tronqué ou séparateur incorrect ?"
        )
    if isinstance(exc, EOFError | zipfile.BadZipFile | zlib.error):
        return f"{label} : archive zip tronquée ou corrompue ({text})."
    if "UTF8" in text or "UTF-8" in text:
        return f"{label} : encodage invalide (UTF-8 attendu)."
    return f"{label} : fichier illisible ({text})."


def _missing_message(label: str, missing: list[str], header: list[str], delimiter: str) -> str:
    message = f"{label} : colonne(s) obligatoire(s) absente(s) : {', '.join(missing)}."
    if len(header) > 1:
        return message
    other = _other_delimiter(header[0] if header else "", delimiter)
    hint = f", le fichier semble séparé par {other}" if other else ""
    return (
        f"{message} L'en-tête n'a qu'une colonne : le séparateur attendu est « {delimiter} »"
        f"{hint} (est-ce le bon fichier ?)."
    )


def _other_delimiter(text: str, expected: str) -> str:
    for candidate, shown in (
        (";", "« ; »"),
        ("\t", "des tabulations"),
        ("|", "« | »"),
        (",", "« , »"),
    ):
        if candidate != expected and candidate in text:
            return shown
    return ""


def _blank(length: int) -> pa.Array:
    return pc.fill_null(pa.nulls(length, pa.string()), "")


def as_text(array: pa.Array | pa.ChunkedArray, name: str) -> pa.Array:
    """A Parquet column as strings without nulls; integer identifiers get their leading
    zeros back (siren: 9 digits, siret: 14)."""
    if isinstance(array, pa.ChunkedArray):
        array = array.combine_chunks()
    kind = array.type
    if pa.types.is_dictionary(kind):
        array = array.dictionary_decode()
        kind = array.type
    if pa.types.is_boolean(kind):
        text = pc.if_else(array, "true", "false")
    else:
        text = pc.cast(array, pa.string())
        width = {"siren": 9, "siret": 14}.get(name)
        if width and pa.types.is_integer(kind):
            text = pc.utf8_lpad(text, width, "0")
    return pc.fill_null(text, "")
