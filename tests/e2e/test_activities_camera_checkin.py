"""The organiser checks a person in with the phone's camera on a browser without the Barcode
Detection API (Safari on the iPhone, Firefox): the page fetches the `qr` decoder from npm,
reads the QR code from the camera's frames, fills in the code and checks the person in.

Chromium plays a video file as its camera (--use-fake-device-for-media-stream with
--use-file-for-fake-video-capture): the file shows the person's QR code, drawn by segno as
the person's own page draws it. Where the browser has its own BarcodeDetector the page uses
that and never downloads the decoder."""

import datetime

import pytest
import segno
from playwright.sync_api import expect

from liulin.accounts.tests.factories import PASSWORD
from liulin.activities import services
from liulin.activities.models import Attendance
from liulin.activities.tests.factories import Town

from .conftest import CHROMIUM, CHROMIUM_ARGS, log_in

pytestmark = pytest.mark.django_db(transaction=True)

WIDTH, HEIGHT = 640, 480
DECODER = "/static/vendor/qr/decode.js"
NO_BARCODE_DETECTOR = "delete window.BarcodeDetector; delete Window.prototype.BarcodeDetector;"
# A stand-in for the browser's own detector (Chrome on Android): it "reads" one fixed text.
NATIVE_DETECTOR = """
window.BarcodeDetector = class {
  static async getSupportedFormats() { return ["qr_code"]; }
  async detect() { return [{ rawValue: document.documentElement.dataset.fakeCode || "" }]; }
};
"""


def write_y4m(path, text):
    """A short YUV4MPEG2 video (the format chromium's fake camera plays) showing `text` as a QR
    code, black on white, in the middle of each frame."""
    rows = [list(row) for row in segno.make(text, error="m").matrix_iter(scale=1, border=4)]
    scale = min(WIDTH, HEIGHT) * 3 // 4 // len(rows)
    side = len(rows) * scale
    left, top = (WIDTH - side) // 2, (HEIGHT - side) // 2
    luma = bytearray(b"\xff" * (WIDTH * HEIGHT))
    for y in range(side):
        row = rows[y // scale]
        start = (top + y) * WIDTH + left
        luma[start:start + side] = bytes(0 if row[x // scale] else 255 for x in range(side))
    chroma = b"\x80" * (WIDTH * HEIGHT // 4)
    frame = b"FRAME\n" + bytes(luma) + chroma + chroma
    path.write_bytes(f"YUV4MPEG2 W{WIDTH} H{HEIGHT} F10:1 Ip A1:1 C420jpeg\n".encode() + frame * 10)
    return path


@pytest.fixture
def camera_page(browser, live_server, tmp_path):
    """open(text, init_script) -> (page, fetched URLs): a phone-sized page in a chromium whose
    camera shows `text` as a QR code, camera permission granted, watched for CSP refusals as
    every browser test is."""
    opened = []

    def open_page(text, init_script):
        video = write_y4m(tmp_path / "camera.y4m", text)
        camera = browser.browser_type.launch(
            executable_path=CHROMIUM, headless=True,
            args=[*CHROMIUM_ARGS, "--use-fake-device-for-media-stream", f"--use-file-for-fake-video-capture={video}"])
        violations, fetched = [], []
        opened.append((camera, violations))
        context = camera.new_context(viewport={"width": 360, "height": 740}, locale="zh-CN", base_url=live_server.url,
                                     permissions=["camera"])
        context.add_init_script(init_script)
        page = context.new_page()
        page.set_default_timeout(15_000)
        page.on("console", lambda msg: violations.append(msg.text) if "Content Security Policy" in msg.text else None)
        page.on("request", lambda request: fetched.append(request.url))
        return page, fetched

    yield open_page
    for camera, violations in opened:
        camera.close()
        assert not violations, f"the strict CSP refused something on a page: {violations[:3]}"


def enrolled():
    town = Town()
    event = town.event(title="智能手机分层分级培训课（初级）", starts_in=datetime.timedelta(hours=1))
    person = town.resident(age=76, name="李桂英")
    enrolment = services.enrol(actor=person.user, activity=event, resident=person)
    return town, event, enrolment


def test_without_a_barcode_detector_the_page_decodes_the_camera_with_the_npm_decoder(camera_page, screenshot):
    town, event, enrolment = enrolled()
    code = services.checkin_code(enrolment)
    page, fetched = camera_page(code, NO_BARCODE_DETECTOR)
    log_in(page, town.staff.mobile, PASSWORD)
    page.goto(f"/activities/{event.pk}/check-in/")
    assert page.evaluate("'BarcodeDetector' in window") is False
    assert not any(DECODER in url for url in fetched)  # nothing heavy until the camera is opened

    page.get_by_role("button", name="用手机摄像头扫码").click()
    expect(page.locator("[data-testid=checkin-result]")).to_contain_text("李桂英 签到成功", timeout=20_000)
    expect(page.locator("[data-testid=present-count]")).to_contain_text("1 / 1")
    screenshot(page, "activities-camera-check-in")
    assert any(DECODER in url for url in fetched)
    attendance = Attendance.objects.get(enrolment=enrolment)
    assert (attendance.method, attendance.by_id) == (Attendance.Method.QR, town.staff.pk)


def test_with_the_browsers_own_detector_the_decoder_is_never_downloaded(camera_page):
    town, event, enrolment = enrolled()
    page, fetched = camera_page("not the code", NATIVE_DETECTOR)
    log_in(page, town.staff.mobile, PASSWORD)
    page.goto(f"/activities/{event.pk}/check-in/")
    page.evaluate("code => { document.documentElement.dataset.fakeCode = code; }", services.checkin_code(enrolment))

    page.get_by_role("button", name="用手机摄像头扫码").click()
    expect(page.locator("[data-testid=checkin-result]")).to_contain_text("李桂英 签到成功")
    assert not any(DECODER in url for url in fetched)
    assert Attendance.objects.filter(enrolment=enrolment).count() == 1
