"""Writes the pages the fake Traffy API of traffy/tests/test_fetch.py serves, in the
shape of publicapi.traffy.in.th/teamchadchart-stat-api/geojson/v1 (a FeatureCollection
with status, total, count and one feature per ticket). Deterministic: running it again
writes the same files. Run once from the repository root:

    .venv/bin/python traffy/tests/data/make_api_pages.py

Bangkok's whole city answers, so most tickets belong to other districts; Phasi Charoen's
are written the three ways the data writes a district (Thai, with "เขต", English).
"""

import gzip
import json
import random
import string
from datetime import UTC, datetime, timedelta
from pathlib import Path

OUT = Path(__file__).parent / "api"

TYPES = [
    "ถนน", "ทางเท้า", "น้ำท่วม", "ความสะอาด", "ท่อระบายน้ำ", "แสงสว่าง", "ต้นไม้", "กีดขวาง",
    "จราจร", "สะพาน", "คลอง", "เสียงรบกวน", "ความปลอดภัย", "สัตว์จรจัด", "คนจรจัด", "ป้าย",
]
STATES = [  # (state, state_type_latest)
    ("รอรับเรื่อง", "start"),
    ("กำลังดำเนินการ", "inprogress"),
    ("เสร็จสิ้น", "finish"),
    ("เสร็จสิ้น", "finish"),
    ("ส่งต่อ", "forward"),
    ("ไม่เกี่ยวข้อง", "irrelevant"),
]
OURS = ["ภาษีเจริญ", "เขตภาษีเจริญ", "Phasi Charoen"]
OUR_SUBDISTRICTS = ["บางหว้า", "บางด้วน", "บางจาก", "บางแวก", "คลองขวาง", "ปากคลองภาษีเจริญ", "คูหาสวรรค์"]
OTHERS = {
    "บางแค": ["บางแค", "บางแคเหนือ", "บางไผ่", "หลักสอง"],
    "ธนบุรี": ["วัดกัลยาณ์", "บุคคโล", "ดาวคะนอง"],
    "จตุจักร": ["ลาดยาว", "จอมพล", "จันทรเกษม"],
    "บางกะปิ": ["คลองจั่น", "หัวหมาก"],
    "ห้วยขวาง": ["ห้วยขวาง", "สามเสนนอก"],
}
PLACES = ["ซอยเพชรเกษม 48", "ถนนเพชรเกษม", "ถนนกาญจนาภิเษก", "ซอยบางแวก 60", "ถนนราชพฤกษ์", "หน้าตลาดบางหว้า"]
TEXTS = {
    "ถนน": "ถนนเป็นหลุมลึก รถจักรยานยนต์ล้มบ่อย",
    "ทางเท้า": "ทางเท้าชำรุด กระเบื้องยกตัว เดินลำบาก",
    "น้ำท่วม": "ฝนตกแล้วน้ำท่วมขังสูงประมาณ 20 ซม. ไม่ระบาย",
    "ความสะอาด": "มีขยะกองทิ้งไว้หลายวัน ส่งกลิ่นเหม็น",
    "ท่อระบายน้ำ": "ฝาท่อระบายน้ำหาย อันตรายมาก",
    "แสงสว่าง": "ไฟส่องสว่างดับทั้งซอย กลางคืนมืดมาก",
    "ต้นไม้": "กิ่งไม้ใหญ่หักพาดสายไฟ ขอให้ตัดแต่ง",
    "กีดขวาง": "ร้านค้าวางของกีดขวางทางเท้า",
}


def ticket_id(rng: random.Random) -> str:
    return "2024-" + "".join(rng.choice(string.ascii_uppercase + string.digits) for _ in range(6))


def stamp(when: datetime) -> str:
    # Traffy writes UTC with a two-digit offset and microseconds.
    return when.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f") + "+00"


def feature(rng: random.Random, day: str, ours: bool) -> dict:
    start = datetime.fromisoformat(day + "T00:00:00+07:00")
    reported = start + timedelta(seconds=rng.randrange(0, 86400))
    state, state_type = rng.choice(STATES)
    types = rng.sample(TYPES, rng.choice([1, 1, 1, 2]))
    if ours:
        district, subdistrict = rng.choice(OURS), rng.choice(OUR_SUBDISTRICTS)
        office = "สำนักงานเขตภาษีเจริญ"
        lat, lon = 13.70 + rng.random() * 0.04, 100.40 + rng.random() * 0.05
    else:
        district = rng.choice(sorted(OTHERS))
        subdistrict = rng.choice(OTHERS[district])
        office = f"สำนักงานเขต{district}"
        lat, lon = 13.65 + rng.random() * 0.25, 100.40 + rng.random() * 0.30
    in_progress = finished = None
    last = reported + timedelta(minutes=rng.randrange(5, 600))
    if state_type in ("inprogress", "finish"):
        in_progress = reported + timedelta(minutes=rng.randrange(1, 240))
        last = in_progress + timedelta(minutes=rng.randrange(1, 600))
    if state_type == "finish":
        finished = last
    tid = ticket_id(rng)
    photo = f"https://storage.googleapis.com/traffy_public_bucket/attachment/2024-01/{tid.lower()}.jpg"
    return {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [round(lon, 6), round(lat, 6)]},
        "properties": {
            "ticket_id": tid,
            "type": "{" + ",".join(types) + "}",
            "problem_type_fondue": types,
            "org": [office, "สำนักการโยธา กรุงเทพมหานคร"] if "ถนน" in types else [office],
            "org_action": [office] if state_type != "start" else [],
            "description": TEXTS.get(types[0], "แจ้งปัญหา" + types[0]) + " บริเวณ" + rng.choice(PLACES),
            "photo_url": photo,
            "after_photo": photo.replace(".jpg", "_after.jpg") if finished else "",
            "address": f"{rng.choice(PLACES)} แขวง{subdistrict} เขต{district.replace('เขต', '')} กรุงเทพมหานคร",
            "subdistrict": subdistrict,
            "district": district,
            "province": "กรุงเทพมหานคร",
            "timestamp": stamp(reported),
            "state": state,
            "state_type_latest": state_type,
            "last_activity": stamp(last),
            "timestamp_inprogress": stamp(in_progress) if in_progress else None,
            "timestamp_finished": stamp(finished) if finished else None,
            "duration_minutes_total": int((last - reported).total_seconds() // 60),
            "count_reopen": rng.choice([0, 0, 0, 0, 1, 2]),
            "star": rng.choice([None, None, 3, 4, 5]) if finished else None,
            "view_count": rng.randrange(0, 80),
        },
    }


def page(features: list, total: int) -> dict:
    return {
        "status": "success",
        "message": "",
        "exec_time": "0.41",
        "source": "teamchadchart",
        "total": total,
        "count": len(features),
        "type": "FeatureCollection",
        "features": features,
    }


def main() -> None:
    rng = random.Random(16)
    OUT.mkdir(exist_ok=True)

    def many(day: str, n: int, every: int) -> list:
        return [feature(rng, day, ours=i % every == 0) for i in range(n)]

    # 5 January: a full page of 1,000 whose total was "not computed" (0), then a short one.
    full = many("2024-01-05", 1000, 8)
    # mtime=0 keeps the file's bytes the same from one run to the next.
    with gzip.GzipFile(OUT / "2024-01-05_offset0.json.gz", "wb", mtime=0) as f:
        f.write(json.dumps(page(full, 0), ensure_ascii=False).encode("utf-8"))
    small = {
        "2024-01-05_offset1000.json": page(many("2024-01-05", 7, 2), 1007),
        "2024-01-06_total0.json": page(many("2024-01-06", 5, 2), 0),
        "2024-01-07.json": page(many("2024-01-07", 3, 1), 3),
    }
    for name, data in small.items():
        (OUT / name).write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
