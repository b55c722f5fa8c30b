"""An employer reviewer imports their staff from an xlsx sheet (issue 3).

All or nothing: `staff_import_run` reads the sheet (`staff_sheet_read`), checks every row
(`staff_rows_validate`, then against the accounts already registered) and, only if every row is
good, in one transaction:

- a person already registered with that ID number who names this employer is confirmed;
- one who names another employer, or none, is left alone and reported (they change their employer
  themselves, then the new employer confirms them);
- a new person gets a learner account: this employer, confirmed, no usable password (they set one
  through password reset by their phone).

Each created or confirmed person gets one audit row. Nothing here ever puts a full ID number in a
message, a report or the audit log: rows are shown with the number masked.
"""

import datetime
import io
import re
import zipfile
from dataclasses import dataclass, field

from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from .audit import audit_record
from .forms import phone_clean
from .identity import id_number_digest, id_number_mask, id_number_normalise, id_number_validate
from .models import (
    AuditAction,
    EmploymentStatus,
    Organisation,
    OrganisationKind,
    OrganisationStatus,
    User,
)
from .organisation_services import real_name_clean, staff_username
from .roles import LEARNER

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
MAX_ROWS = 5000
# A zip that inflates past this is refused unread (a "zip bomb"); a real 5000-row sheet is < 2 MB.
MAX_UNCOMPRESSED_BYTES = 100 * 1024 * 1024
MAX_ZIP_ENTRIES = 1000
# Stop reading after this many empty rows in a row (sheets formatted down to row 1 048 576).
MAX_EMPTY_RUN = 1000

HEADERS = {
    "real_name": ("姓名",),
    "id_number": ("身份证号码", "身份证号", "公民身份号码", "身份证"),
    "phone": ("手机号码", "手机号", "手机", "联系电话"),
}
HEADER_LABELS = {"real_name": "姓名", "id_number": "身份证号码", "phone": "手机号码"}
TEMPLATE_FILENAME = "本单位人员导入模板.xlsx"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

_ID_LIKE = re.compile(r"\d{15,}[\dXx]?")
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


class SheetError(Exception):
    """The file as a whole cannot be imported; the message is for the reviewer."""


@dataclass(frozen=True)
class SheetRow:
    """One row as typed: cells converted to text, the row number as Excel shows it."""

    row: int
    real_name: str
    id_number: str
    phone: str
    id_was_number: bool = False


@dataclass(frozen=True)
class StaffRow:
    """One valid row: the ID number validated and normalised."""

    row: int
    real_name: str
    id_number: str
    phone: str

    @property
    def id_masked(self) -> str:
        return id_number_mask(self.id_number)


@dataclass(frozen=True)
class RowReport:
    """A row as the reviewer sees it in the result: name, masked ID number, and why."""

    row: int
    real_name: str
    id_masked: str
    reason: str = ""


@dataclass
class StaffImportResult:
    """Either `problems` (nothing was imported) or what happened to each row."""

    problems: list[RowReport] = field(default_factory=list)
    created: list[RowReport] = field(default_factory=list)
    confirmed: list[RowReport] = field(default_factory=list)
    skipped: list[RowReport] = field(default_factory=list)

    @property
    def imported(self) -> bool:
        return not self.problems


# --- Reading the file -----------------------------------------------------------------------------


def _cell_text(value) -> tuple[str, bool]:
    """A cell as text, and whether Excel stored it as a number."""
    if value is None:
        return "", False
    if isinstance(value, bool):
        return str(value), False
    if isinstance(value, int):
        return str(value), True
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value)), True
        return repr(value), True
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat(), False
    return str(value).strip(), False


def _header_key(value) -> str | None:
    text = re.sub(r"[\s*＊:：]", "", str(value or ""))
    for key, names in HEADERS.items():
        if text in names:
            return key
    return None


def _zip_check(data: bytes) -> None:
    if data.startswith(_OLE_MAGIC):
        raise SheetError(
            "这是旧版 Excel（.xls）文件或加密的工作簿。请在 Excel 中“另存为”"
            "“Excel 工作簿（*.xlsx）”，取消密码后再上传。"
        )
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise SheetError("该文件不是 Excel 工作簿（.xlsx），请下载模板填写后上传。")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            entries = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise SheetError("该文件已损坏或不是 Excel 工作簿（.xlsx），无法读取。") from exc
    names = {entry.filename for entry in entries}
    if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
        raise SheetError("该文件不是 Excel 工作簿（.xlsx），请下载模板填写后上传。")
    if len(entries) > MAX_ZIP_ENTRIES or sum(e.file_size for e in entries) > (
        MAX_UNCOMPRESSED_BYTES
    ):
        raise SheetError("该工作簿内容过大，无法导入。请只保留人员名单后再上传。")


def staff_sheet_read(*, upload) -> list[SheetRow]:
    """The rows of an uploaded .xlsx: the first worksheet whose header row (row 1) names the
    columns 姓名, 身份证号码 and 手机号码, in any order. Empty rows are skipped.

    Checks the content, not the name: at most MAX_UPLOAD_BYTES, a zip holding an xlsx workbook
    that openpyxl opens read-only, at most MAX_ROWS rows. Raises SheetError in Chinese.
    """
    from openpyxl import load_workbook

    size = getattr(upload, "size", None)
    if size is not None and size > MAX_UPLOAD_BYTES:
        raise SheetError(f"文件太大：不能超过 {MAX_UPLOAD_BYTES // (1024 * 1024)} MB。")
    upload.seek(0)
    data = upload.read(MAX_UPLOAD_BYTES + 1)
    if len(data) > MAX_UPLOAD_BYTES:
        raise SheetError(f"文件太大：不能超过 {MAX_UPLOAD_BYTES // (1024 * 1024)} MB。")
    _zip_check(data)
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a file it cannot open
        raise SheetError("无法打开该 Excel 文件，请确认是 .xlsx 格式且未加密后重新上传。") from exc
    try:
        return _rows_from_workbook(workbook)
    except SheetError:
        raise
    except Exception as exc:
        raise SheetError("读取该 Excel 文件时出错，请另存为新的 .xlsx 文件后重新上传。") from exc
    finally:
        workbook.close()


def _rows_from_workbook(workbook) -> list[SheetRow]:
    for sheet in workbook.worksheets:
        if not hasattr(sheet, "iter_rows"):  # a chartsheet
            continue
        rows = sheet.iter_rows(values_only=True)
        header = next(rows, None)
        columns: dict[str, int] = {}
        for index, value in enumerate(header or ()):
            key = _header_key(value)
            if key and key not in columns:
                columns[key] = index
        if len(columns) < len(HEADERS):
            continue
        result: list[SheetRow] = []
        empty_run = 0
        for number, values in enumerate(rows, start=2):
            cells = {
                key: _cell_text(values[index] if index < len(values) else None)
                for key, index in columns.items()
            }
            if not any(text for text, _ in cells.values()):
                empty_run += 1
                if empty_run >= MAX_EMPTY_RUN:
                    break
                continue
            empty_run = 0
            if len(result) >= MAX_ROWS:
                raise SheetError(
                    f"名单超过 {MAX_ROWS} 行，请拆分成多个文件分批导入（每个文件保留表头）。"
                )
            result.append(
                SheetRow(
                    row=number,
                    real_name=cells["real_name"][0],
                    id_number=cells["id_number"][0],
                    phone=cells["phone"][0],
                    id_was_number=cells["id_number"][1],
                )
            )
        if not result:
            raise SheetError("名单中没有人员：请从第 2 行起填写，每人一行。")
        return result
    wanted = "、".join(f"“{label}”" for label in HEADER_LABELS.values())
    raise SheetError(f"找不到表头：工作表第 1 行须有 {wanted} 三列。请下载模板填写。")


# --- Checking the rows ----------------------------------------------------------------------------


def _name_for_display(value: str) -> str:
    """What was typed as a name, safe to show: ID-number-like runs masked, length bounded."""
    text = _ID_LIKE.sub(lambda match: id_number_mask(match.group(0)), value or "")
    return text[:30]


def _id_for_display(value: str) -> str:
    number = id_number_normalise(value)
    return id_number_mask(number) if number else "（空）"


def _messages(error: ValidationError) -> str:
    return "".join(error.messages)


def staff_rows_validate(*, rows: list[SheetRow]) -> tuple[list[StaffRow], list[RowReport]]:
    """Check every row on its own (name, ID number checksum, mobile phone) and against the others
    (the same ID number or phone twice). Returns the good rows and one report per bad row."""
    good: list[StaffRow] = []
    problems: list[RowReport] = []
    first_row_of_id: dict[str, int] = {}
    first_row_of_phone: dict[str, int] = {}
    for raw in rows:
        reasons: list[str] = []
        name = id_number = phone = ""
        try:
            name = real_name_clean(raw.real_name)
        except ValidationError as error:
            reasons.append("姓名为空。" if not raw.real_name else _messages(error))
        if not raw.id_number:
            reasons.append("身份证号码为空。")
        else:
            try:
                id_number = id_number_validate(raw.id_number)
            except ValidationError as error:
                reason = _messages(error)
                if raw.id_was_number:
                    reason += "（该单元格是数字格式，Excel 会丢失末尾几位：请将该列设为“文本”后重新填写。）"
                reasons.append(reason)
        if not raw.phone:
            reasons.append("手机号码为空。")
        else:
            try:
                phone = phone_clean(raw.phone)
            except ValidationError as error:
                reasons.append(_messages(error))
        if id_number:
            if id_number in first_row_of_id:
                reasons.append(f"身份证号码与第 {first_row_of_id[id_number]} 行重复。")
            else:
                first_row_of_id[id_number] = raw.row
        if phone:
            if phone in first_row_of_phone:
                reasons.append(f"手机号码与第 {first_row_of_phone[phone]} 行重复。")
            else:
                first_row_of_phone[phone] = raw.row
        if reasons:
            problems.append(
                RowReport(
                    row=raw.row,
                    real_name=name or _name_for_display(raw.real_name),
                    id_masked=_id_for_display(raw.id_number),
                    reason="".join(reasons),
                )
            )
        else:
            good.append(StaffRow(row=raw.row, real_name=name, id_number=id_number, phone=phone))
    return good, problems


# --- Importing ------------------------------------------------------------------------------------


def staff_import_employer(reviewer) -> Organisation:
    """The approved employer whose staff this reviewer may import, or PermissionDenied."""
    employer = getattr(reviewer, "organisation", None)
    if not (
        getattr(reviewer, "is_active", False)
        and reviewer.has_perm("accounts.confirm_employment")
        and employer is not None
        and employer.kind == OrganisationKind.EMPLOYER
        and employer.status == OrganisationStatus.APPROVED
    ):
        raise PermissionDenied("只有已通过审核单位的审核员可以导入本单位人员。")
    return employer


def _chunks(items: list, size: int = 500):
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _report(row: StaffRow, reason: str = "") -> RowReport:
    return RowReport(row=row.row, real_name=row.real_name, id_masked=row.id_masked, reason=reason)


SKIP_OTHER_EMPLOYER = "已在其他单位注册：未作改动。请本人将工作单位改为本单位，再由本单位确认。"
SKIP_NO_EMPLOYER = "已注册但未选择工作单位：未作改动。请本人将工作单位改为本单位，再由本单位确认。"
SKIP_NAME_MISMATCH = "姓名与该身份证号码注册时填写的姓名不一致：未作改动，请核对。"
SKIP_ALREADY_CONFIRMED = "已是本单位已确认人员，无需处理。"
PHONE_TAKEN = "手机号码已被其他账号使用，请核对；如确为本人，请本人登录后确认工作单位。"


def staff_import_run(*, reviewer, upload, request=None) -> StaffImportResult:
    """Import the staff sheet `upload` for the reviewer's employer, all or nothing.

    Raises PermissionDenied if the reviewer may not import, SheetError if the file cannot be read.
    Returns a result whose `problems` list every bad row (nothing was written) or, if there are
    none, the created, confirmed and skipped rows.
    """
    employer = staff_import_employer(reviewer)
    rows, problems = staff_rows_validate(rows=staff_sheet_read(upload=upload))
    if problems:
        return StaffImportResult(problems=problems)
    try:
        with transaction.atomic():
            return _import(reviewer=reviewer, employer=employer, rows=rows, request=request)
    except IntegrityError as exc:
        # Someone registered the same ID number or phone while this import ran.
        raise SheetError(
            "导入期间有人员同时在平台注册，本次未导入任何人员。请重新上传同一文件。"
        ) from exc


def _import(
    *, reviewer, employer: Organisation, rows: list[StaffRow], request
) -> StaffImportResult:
    digests = {row.row: id_number_digest(row.id_number) for row in rows}
    existing: dict[str, User] = {}
    for chunk in _chunks(list(digests.values())):
        for user in User.objects.select_for_update().filter(id_number_digest__in=chunk):
            existing[user.id_number_digest] = user
    phones: dict[str, int] = {}
    new_phones = [row.phone for row in rows if digests[row.row] not in existing]
    for chunk in _chunks(new_phones):
        phones.update(User.objects.filter(phone__in=chunk).values_list("phone", "pk"))

    result = StaffImportResult()
    to_create: list[StaffRow] = []
    to_confirm: list[tuple[StaffRow, User]] = []
    for row in rows:
        person = existing.get(digests[row.row])
        if person is None:
            if row.phone in phones:
                result.problems.append(_report(row, PHONE_TAKEN))
            else:
                to_create.append(row)
        elif person.employer_id is None:
            result.skipped.append(_report(row, SKIP_NO_EMPLOYER))
        elif person.employer_id != employer.pk:
            result.skipped.append(_report(row, SKIP_OTHER_EMPLOYER))
        elif person.real_name != row.real_name:
            result.skipped.append(_report(row, SKIP_NAME_MISMATCH))
        elif person.employment_status == EmploymentStatus.CONFIRMED:
            result.skipped.append(_report(row, SKIP_ALREADY_CONFIRMED))
        else:
            to_confirm.append((row, person))
    if result.problems:
        return StaffImportResult(problems=result.problems)

    now = timezone.now()
    for row, person in to_confirm:
        before = person.employment_status
        person.employment_status = EmploymentStatus.CONFIRMED
        person.employment_reviewed_at = now
        # As with a confirmation one by one: the employer vouches for who the person is.
        person.identity_confirmed = True
        person.save(
            update_fields=["employment_status", "employment_reviewed_at", "identity_confirmed"]
        )
        audit_record(
            action=AuditAction.EMPLOYMENT_REVIEWED,
            actor=reviewer,
            subject=person,
            request=request,
            employer=employer.pk,
            before=before,
            after=EmploymentStatus.CONFIRMED,
            via="staff_import",
            row=row.row,
        )
        result.confirmed.append(_report(row))

    learners = Group.objects.get(name=LEARNER)
    for row in to_create:
        person = User(
            username=staff_username(prefix="xy"),
            real_name=row.real_name,
            phone=row.phone,
            employer=employer,
            employment_status=EmploymentStatus.CONFIRMED,
            employment_reviewed_at=now,
            identity_confirmed=True,  # the employer supplied and vouches for name and ID number
        )
        person.set_id_number(row.id_number)
        person.set_unusable_password()
        person.save()
        person.groups.add(learners)
        audit_record(
            action=AuditAction.REGISTERED,
            actor=reviewer,
            subject=person,
            request=request,
            employer=employer.pk,
            employment_status=EmploymentStatus.CONFIRMED,
            via="staff_import",
            row=row.row,
        )
        result.created.append(_report(row))
    return result


# --- The template ---------------------------------------------------------------------------------


def staff_template_build() -> bytes:
    """The .xlsx to fill in: the three columns as text (so that Excel keeps all 18 characters of
    an ID number), and a sheet of instructions."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "人员名单"
    sheet.append(list(HEADER_LABELS.values()))
    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="DDEBF7")
    for cell in sheet[1]:
        cell.font = bold
        cell.fill = fill
        cell.alignment = Alignment(horizontal="center")
    for letter, width in (("A", 14), ("B", 24), ("C", 16)):
        sheet.column_dimensions[letter].width = width
        sheet.column_dimensions[letter].number_format = "@"
    # Pre-format the rows people will fill, so pasted numbers stay text.
    for row in range(2, 502):
        for column in (1, 2, 3):
            sheet.cell(row=row, column=column).number_format = "@"
    sheet.freeze_panes = "A2"

    notes = workbook.create_sheet("填写说明")
    for line in (
        "填写说明",
        "1. 在“人员名单”工作表中，从第 2 行起每人一行，不要修改第 1 行的表头。",
        "2. 姓名：与身份证上的姓名一致。",
        "3. 身份证号码：18 位居民身份证号码。请保持该列为“文本”格式，否则 Excel 会把末尾几位变成 0。",
        "4. 手机号码：11 位中国大陆手机号码，用于本人登录和找回密码。",
        f"5. 每个文件最多 {MAX_ROWS} 人；有任何一行不正确时，整个文件都不会导入，请按提示改正后重新上传。",
        "6. 已在平台注册并选择本单位的人员将被确认为本单位人员；已在其他单位注册的人员不会被改动。",
        "7. 新导入的人员请通过登录页的“忘记密码”用手机验证码设置密码。",
    ):
        notes.append([line])
    notes["A1"].font = bold
    notes.column_dimensions["A"].width = 100

    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
