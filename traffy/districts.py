"""Bangkok's fifty districts by their Thai names and the romanised names Traffy's
exports and people use, so a ticket's district text can be matched to an organization
whichever way it was typed ("เขตภาษีเจริญ", "ภาษีเจริญ", "Phasi Charoen", "khet phasi-charoen")."""

from __future__ import annotations

import re

DISTRICTS: dict[str, tuple[str, ...]] = {
    "พระนคร": ("Phra Nakhon",), "ดุสิต": ("Dusit",), "หนองจอก": ("Nong Chok",), "บางรัก": ("Bang Rak",),
    "บางเขน": ("Bang Khen",), "บางกะปิ": ("Bang Kapi",), "ปทุมวัน": ("Pathum Wan", "Pathumwan"),
    "ป้อมปราบศัตรูพ่าย": ("Pom Prap Sattru Phai", "Pom Prap"), "พระโขนง": ("Phra Khanong",),
    "มีนบุรี": ("Min Buri", "Minburi"), "ลาดกระบัง": ("Lat Krabang", "Ladkrabang"), "ยานนาวา": ("Yan Nawa",),
    "สัมพันธวงศ์": ("Samphanthawong",), "พญาไท": ("Phaya Thai",), "ธนบุรี": ("Thon Buri", "Thonburi"),
    "บางกอกใหญ่": ("Bangkok Yai",), "ห้วยขวาง": ("Huai Khwang",), "คลองสาน": ("Khlong San",),
    "ตลิ่งชัน": ("Taling Chan",), "บางกอกน้อย": ("Bangkok Noi",), "บางขุนเทียน": ("Bang Khun Thian",),
    "ภาษีเจริญ": ("Phasi Charoen", "Pasi Charoen", "Phasicharoen"), "หนองแขม": ("Nong Khaem",),
    "ราษฎร์บูรณะ": ("Rat Burana", "Rajburana"), "บางพลัด": ("Bang Phlat", "Bang Plad"), "ดินแดง": ("Din Daeng",),
    "บึงกุ่ม": ("Bueng Kum", "Bung Kum"), "สาทร": ("Sathon", "Sathorn"), "บางซื่อ": ("Bang Sue", "Bang Su"),
    "จตุจักร": ("Chatuchak", "Chatuchuck"), "บางคอแหลม": ("Bang Kho Laem",), "ประเวศ": ("Prawet",),
    "คลองเตย": ("Khlong Toei", "Klong Toey"), "สวนหลวง": ("Suan Luang",), "จอมทอง": ("Chom Thong",),
    "ดอนเมือง": ("Don Mueang", "Don Muang"), "ราชเทวี": ("Ratchathewi", "Rajthevee"), "ลาดพร้าว": ("Lat Phrao", "Lad Prao"),
    "วัฒนา": ("Watthana", "Wattana"), "บางแค": ("Bang Khae",), "หลักสี่": ("Lak Si",), "สายไหม": ("Sai Mai",),
    "คันนายาว": ("Khan Na Yao",), "สะพานสูง": ("Saphan Sung",), "วังทองหลาง": ("Wang Thonglang", "Wang Thong Lang"),
    "คลองสามวา": ("Khlong Sam Wa",), "บางนา": ("Bang Na",), "ทวีวัฒนา": ("Thawi Watthana",), "ทุ่งครุ": ("Thung Khru",),
    "บางบอน": ("Bang Bon",),
}

# What people put around a district's name: "สำนักงานเขต…", "สนข.…", "เขต…", "… District".
_THAI_PREFIXES = ("สำนักงานเขต", "สนข.", "สนข", "เขต")
_NOT_LETTERS = re.compile(r"[\s\-_.,'’()]+")
_LATIN_NOISE = re.compile(r"\b(district|district office|khet|office)\b")


def district_key(text: str) -> str:
    """The district's Thai name for any way of writing it ("" if none is recognised:
    then the text itself, cleaned, so two unknown spellings can still be compared)."""
    cleaned = (text or "").strip()
    for prefix in _THAI_PREFIXES:
        if cleaned.startswith(prefix):
            cleaned = cleaned[len(prefix):].strip()
            break
    latin = _NOT_LETTERS.sub("", _LATIN_NOISE.sub(" ", cleaned.lower()))
    thai = _NOT_LETTERS.sub("", cleaned)
    if thai in DISTRICTS:
        return thai
    return _BY_LATIN.get(latin, thai)


_BY_LATIN = {_NOT_LETTERS.sub("", name.lower()): thai for thai, names in DISTRICTS.items() for name in names}
