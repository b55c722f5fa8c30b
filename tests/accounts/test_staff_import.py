"""导入本单位人员: an employer reviewer imports staff from an xlsx sheet, all or nothing."""

import io
import re
import zipfile

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook, load_workbook

from accounts import staff_import
from accounts.identity import id_number_digest, id_number_mask
from accounts.models import AuditAction, AuditEvent, EmploymentStatus, Industry, OrganisationKind
from tests.admin_refusals import admin_refused
from tests.factories import (
    LearnerFactory,
    OrganisationFactory,
    UserFactory,
    employer_reviewer,
    valid_id_number,
)

pytestmark = pytest.mark.django_db
User = get_user_model()

URL = "/admin/staff/import/"
TEMPLATE_URL = "/admin/staff/import/template.xlsx"
FULL_ID = re.compile(r"(?<![0-9A-Za-z])[1-9]\d{16}[\dXx](?![0-9A-Za-z])")

NEW_ID = valid_id_number(501, birth="19850315")
NEW_ID_2 = valid_id_number(502, birth="19920704")
PENDING_ID = valid_id_number(503, birth="19800101")
OTHER_ID = valid_id_number(504, birth="19751231")
NONE_ID = valid_id_number(505, birth="19881111")


def xlsx(rows, header=("姓名", "身份证号码", "手机号码"), name="名单.xlsx") -> SimpleUploadedFile:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(list(header))
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type=staff_import.XLSX_CONTENT_TYPE)


def imports_audited(reviewer) -> int:
    return AuditEvent.objects.filter(
        actor=reviewer, action__in=[AuditAction.REGISTERED, AuditAction.EMPLOYMENT_REVIEWED]
    ).count()


def no_full_id(html: str) -> bool:
    return not FULL_ID.search(html)


@pytest.fixture
def hospital():
    return OrganisationFactory(name="安阳市导入测试医院")


@pytest.fixture
def hr(hospital):
    return employer_reviewer(hospital)


@pytest.fixture
def people(hospital):
    pending = LearnerFactory(
        employer=hospital, real_name="李待确认", phone="13900000503", id_number=PENDING_ID
    )
    other_employer = OrganisationFactory(name="别的单位")
    outsider = LearnerFactory(
        employer=other_employer, real_name="赵外单位", phone="13900000504", id_number=OTHER_ID
    )
    no_employer = LearnerFactory(
        employer=None, real_name="钱无单位", phone="13900000505", id_number=NONE_ID
    )
    return {"pending": pending, "outsider": outsider, "no_employer": no_employer}


def good_rows():
    return [
        ("王新人", NEW_ID, "13800000501"),
        ("孙 新人", NEW_ID_2.lower(), 13800000502),  # spaces in a name; a phone stored as a number
        ("李待确认", PENDING_ID, "13800009999"),  # registered: their own phone stays
        ("赵外单位", OTHER_ID, "13800000504"),
        ("钱无单位", NONE_ID, "13800000505"),
    ]


def test_template_is_an_xlsx_with_the_three_text_columns(client, hr):
    client.force_login(hr)
    response = client.get(TEMPLATE_URL)
    assert response.status_code == 200
    assert response["Content-Type"] == staff_import.XLSX_CONTENT_TYPE
    assert "attachment" in response["Content-Disposition"]
    workbook = load_workbook(io.BytesIO(response.content))
    sheet = workbook.worksheets[0]
    assert [cell.value for cell in sheet[1]] == ["姓名", "身份证号码", "手机号码"]
    assert sheet["B2"].number_format == "@"
    assert "填写说明" in workbook.sheetnames
    # The template itself imports nothing but says so.
    response = client.post(URL, {"sheet": SimpleUploadedFile("t.xlsx", response.content)})
    assert "名单中没有人员" in response.content.decode()


def test_the_page_offers_the_upload_and_the_template(client, hr):
    client.force_login(hr)
    html = client.get(URL).content.decode()
    assert "导入本单位人员" in html and TEMPLATE_URL in html
    assert 'enctype="multipart/form-data"' in html and "csrfmiddlewaretoken" in html
    assert '"url": "/admin/staff/import/"' in client.get("/admin/").content.decode()  # the menu


def test_good_sheet_creates_confirms_and_leaves_others_alone(client, hospital, hr, people):
    client.force_login(hr)
    response = client.post(URL, {"sheet": xlsx(good_rows())})
    assert response.status_code == 200
    html = response.content.decode()
    assert "导入完成" in html
    assert re.search(r"新开通账号 <strong>2</strong> 人", html)
    assert re.search(r"确认为本单位人员 <strong>1</strong> 人", html)
    assert re.search(r"未处理 <strong>2</strong> 人", html)
    assert "已在其他单位注册" in html and "未选择工作单位" in html

    # New people: learners of this employer, confirmed, found by digest, no usable password.
    for number, phone, name in (
        (NEW_ID, "13800000501", "王新人"),
        (NEW_ID_2, "13800000502", "孙新人"),
    ):
        person = User.objects.get(id_number_digest=id_number_digest(number))
        assert person.real_name == name and person.phone == phone
        assert person.employer == hospital
        assert person.employment_status == EmploymentStatus.CONFIRMED
        assert person.employment_reviewed_at is not None
        assert person.id_number_for_owner() == number
        assert person.id_number_masked == id_number_mask(number)
        assert not person.has_usable_password()
        assert list(person.groups.values_list("name", flat=True)) == ["学员"]
        assert number not in person.username and not re.search(r"\d{6}", person.username)
        assert person.organisation is None and not person.is_staff
        event = AuditEvent.objects.get(action=AuditAction.REGISTERED, subject=person)
        assert event.actor == hr and event.detail["via"] == "staff_import"
        assert event.detail["employer"] == hospital.pk
        assert id_number_mask(number) in html and number not in html

    pending = people["pending"]
    pending.refresh_from_db()
    assert pending.employment_status == EmploymentStatus.CONFIRMED
    assert pending.phone == "13900000503"  # the sheet does not change a registered phone
    event = AuditEvent.objects.get(action=AuditAction.EMPLOYMENT_REVIEWED, subject=pending)
    assert event.actor == hr
    assert (event.detail["before"], event.detail["after"]) == ("pending", "confirmed")
    assert event.detail["via"] == "staff_import" and event.detail["row"] == 4

    # Another employer's person, and one with none, are not touched.
    for key in ("outsider", "no_employer"):
        person = people[key]
        before = (person.employer_id, person.employment_status, person.phone, person.real_name)
        person.refresh_from_db()
        assert (
            person.employer_id,
            person.employment_status,
            person.phone,
            person.real_name,
        ) == before
        assert not AuditEvent.objects.filter(subject=person).exists()
    assert no_full_id(html)
    assert imports_audited(hr) == 3
    assert not any(FULL_ID.search(str(e.detail)) for e in AuditEvent.objects.all())

    # Importing the same sheet again changes nothing and says why.
    again = client.post(URL, {"sheet": xlsx(good_rows())}).content.decode()
    assert re.search(r"新开通账号 <strong>0</strong> 人", again)
    assert "已是本单位已确认人员" in again
    assert imports_audited(hr) == 3


def test_one_bad_row_imports_nothing_and_reports_the_row(client, hospital, hr, people):
    bad_id = NEW_ID_2[:-1] + ("0" if NEW_ID_2[-1] != "0" else "1")
    rows = [
        ("王新人", NEW_ID, "13800000501"),
        ("孙新人", bad_id, "13800000502"),  # row 3: wrong check character
        ("李待确认", PENDING_ID, "13800009999"),
    ]
    users_before = User.objects.count()
    client.force_login(hr)
    response = client.post(URL, {"sheet": xlsx(rows)})
    html = response.content.decode()
    assert "有 1 行不正确，本次未导入任何人员" in html
    assert "第 3 行" in html and "校验位不正确" in html
    assert id_number_mask(bad_id) in html
    assert User.objects.count() == users_before
    people["pending"].refresh_from_db()
    assert people["pending"].employment_status == EmploymentStatus.PENDING
    assert imports_audited(hr) == 0
    assert no_full_id(html)


def test_every_kind_of_bad_row_is_reported_with_its_number(client, hr):
    rows = [
        ("王新人", NEW_ID, "13800000501"),
        ("", NEW_ID_2, "13800000502"),  # 3: no name
        ("张三", "", "13800000503"),  # 4: no ID number
        ("李四", valid_id_number(506), "12345"),  # 5: bad phone
        ("王新人", NEW_ID, "13800000507"),  # 6: the same ID number as row 2
        ("周五", valid_id_number(508), "13800000501"),  # 7: the same phone as row 2
        (NEW_ID_2, "王五", "13800000509"),  # 8: columns swapped
        ("吴六", 110105194912310000, "13800000510"),  # 9: an ID number Excel turned into a number
    ]
    client.force_login(hr)
    html = client.post(URL, {"sheet": xlsx(rows)}).content.decode()
    assert "有 7 行不正确" in html
    for row, reason in (
        (3, "姓名为空"),
        (4, "身份证号码为空"),
        (5, "请输入 11 位中国大陆手机号码"),
        (6, "身份证号码与第 2 行重复"),
        (7, "手机号码与第 2 行重复"),
        (8, "请填写身份证上的姓名"),
        (9, "该单元格是数字格式"),
    ):
        assert re.search(rf"第 {row} 行</td>.*?{reason}", html, re.S), (row, reason)
    assert no_full_id(html)
    assert User.objects.filter(phone__startswith="138000005").count() == 0


def test_a_phone_already_used_by_someone_else_imports_nothing(client, hr, people):
    rows = [("王新人", NEW_ID, "13800000501"), ("孙新人", NEW_ID_2, people["outsider"].phone)]
    client.force_login(hr)
    html = client.post(URL, {"sheet": xlsx(rows)}).content.decode()
    assert "本次未导入任何人员" in html and "第 3 行" in html and "手机号码已被其他账号使用" in html
    assert not User.objects.filter(id_number_digest=id_number_digest(NEW_ID)).exists()


def test_columns_are_found_by_header_name(client, hospital, hr):
    rows = [("备注", "13800000501", NEW_ID, "王新人")]
    client.force_login(hr)
    html = client.post(
        URL, {"sheet": xlsx(rows, header=("备注", "手机号", "身份证号码 *", "姓名"))}
    ).content.decode()
    assert "导入完成" in html
    assert User.objects.get(phone="13800000501").employer == hospital


def test_a_sheet_without_the_headers_is_refused(client, hr):
    client.force_login(hr)
    html = client.post(
        URL, {"sheet": xlsx([("王新人", NEW_ID)], header=("名字", "号码"))}
    ).content.decode()
    assert "找不到表头" in html and "本次未导入任何人员" in html
    assert no_full_id(html)


@pytest.mark.parametrize(
    "content,message",
    [
        ("姓名,身份证号码,手机号码\n王新人,{id},13800000501\n".encode(), "不是 Excel 工作簿"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "旧版 Excel（.xls）"),
        (None, "不是 Excel 工作簿"),  # a zip, but not a workbook
        (b"PK\x03\x04" + b"\0" * 100, "不是 Excel 工作簿"),  # a broken zip
    ],
    ids=["csv-renamed", "xls-renamed", "docx-like-zip", "broken-zip"],
)
def test_a_file_that_is_not_an_xlsx_is_refused_whatever_its_name(client, hr, content, message):
    if content is None:
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            archive.writestr("[Content_Types].xml", "<Types/>")
            archive.writestr("word/document.xml", "<document/>")
        content = buffer.getvalue()
    content = content.replace(b"{id}", NEW_ID.encode())
    client.force_login(hr)
    users_before = User.objects.count()
    upload = SimpleUploadedFile("名单.xlsx", content, content_type=staff_import.XLSX_CONTENT_TYPE)
    html = client.post(URL, {"sheet": upload}).content.decode()
    assert message in html and "本次未导入任何人员" in html
    assert User.objects.count() == users_before
    assert no_full_id(html)


def test_a_workbook_openpyxl_cannot_open_is_refused(client, hr):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "not xml at all <<<")
    client.force_login(hr)
    upload = SimpleUploadedFile("名单.xlsx", buffer.getvalue())
    html = client.post(URL, {"sheet": upload}).content.decode()
    assert "无法打开该 Excel 文件" in html


def test_too_large_and_too_many_rows_are_refused(client, hr, monkeypatch):
    client.force_login(hr)
    big = SimpleUploadedFile("名单.xlsx", b"PK" + b"\0" * staff_import.MAX_UPLOAD_BYTES)
    assert "文件太大" in client.post(URL, {"sheet": big}).content.decode()

    monkeypatch.setattr(staff_import, "MAX_ROWS", 2)
    rows = [(f"王新{'一二三'[i]}", valid_id_number(600 + i), f"1380000060{i}") for i in range(3)]
    html = client.post(URL, {"sheet": xlsx(rows)}).content.decode()
    assert "名单超过 2 行" in html
    assert not User.objects.filter(phone__startswith="1380000060").exists()


def test_only_an_approved_employers_reviewer_may_import(client, hospital, people):
    upload = xlsx([("王新人", NEW_ID, "13800000501")])
    learner = people["pending"]
    department = OrganisationFactory(
        kind=OrganisationKind.DEPARTMENT,
        credit_code=None,
        name="某主管部门",
        industry=Industry.objects.first(),
    )
    official = UserFactory(username="official_imp", organisation=department)
    official.groups.add(Group.objects.get(name="用人单位审核员"))
    pending_employer = OrganisationFactory(name="待审核单位", status="pending")
    pending_hr = employer_reviewer(pending_employer, username="pending_hr")
    for user in (learner, official, pending_hr):
        client.force_login(user)
        for response in (
            client.get(URL),
            client.get(TEMPLATE_URL),
            client.post(URL, {"sheet": upload}),
        ):
            assert admin_refused(response, user)
        assert "/admin/staff/import/" not in client.get("/admin/").content.decode()
    assert not User.objects.filter(id_number_digest=id_number_digest(NEW_ID)).exists()


def test_form_needs_a_file_and_a_csrf_token(hr):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(hr)
    response = strict.post(URL, {"sheet": xlsx([("王新人", NEW_ID, "13800000501")])})
    assert response.status_code == 403
    assert not User.objects.filter(id_number_digest=id_number_digest(NEW_ID)).exists()
    client = Client()
    client.force_login(hr)
    html = client.post(URL, {}).content.decode()
    assert "请选择要上传的 .xlsx 文件" in html and "导入完成" not in html
