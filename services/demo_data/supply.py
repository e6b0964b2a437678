"""Demo products, price lists, supply points with meters and readings, and contracts."""
from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from extensions import db
from models.base import utcnow
from models.contracts import Contract
from models.customers import Segment
from models.files import StoredFile
from models.metering import Commodity, Meter, MeterReading, ReadingKind, ReadingReason, ReadingState, Register, SupplyPoint
from models.price_lists import PriceItem, PriceList, Product
from services.demo_data.dates import month_start
from services.pdf import simple_document

# Monthly consumption per register (kWh, or m³ for gas).
MONTHLY = {"jana": {"T": 230}, "bakery_e": {"VT": 2400, "NT": 850}, "bakery_g": {"T": 160}, "petr": {"T": 280}}

ELECTRICITY_ITEMS = [
    ("Silová elektřina", "Kč/MWh", "2890.0000"),
    ("Stálý měsíční plat", "Kč/měsíc", "149.0000"),
    ("Distribuce – jistič", "Kč/měsíc", "289.0000"),
    ("Distribuce – pohyblivá složka", "Kč/MWh", "2135.5000"),
    ("Systémové služby a POZE", "Kč/MWh", "212.1900"),
    ("Daň z elektřiny", "Kč/MWh", "28.3000"),
]
GAS_ITEMS = [
    ("Plyn – komodita", "Kč/MWh", "1590.0000"),
    ("Stálý měsíční plat", "Kč/měsíc", "129.0000"),
    ("Distribuce – pohyblivá složka", "Kč/MWh", "641.2000"),
    ("Daň ze zemního plynu", "Kč/MWh", "30.6000"),
]


def _pdf(name: str, title: str, paragraphs: list[str]) -> StoredFile:
    return StoredFile.from_bytes(name, "application/pdf", simple_document(title, paragraphs))


def create_products_and_price_lists() -> dict:
    products = {
        "household": Product(code="E-STANDARD", name="Elektřina Standard", commodity=Commodity.ELECTRICITY),
        "business": Product(code="E-PODNIKATEL", name="Elektřina Podnikatel", commodity=Commodity.ELECTRICITY),
        "gas": Product(code="P-STANDARD", name="Plyn Standard", commodity=Commodity.GAS),
    }
    db.session.add_all(products.values())
    year = date.today().year
    offers = [(products["household"], Segment.HOUSEHOLD, "D02d", ELECTRICITY_ITEMS),
              (products["business"], Segment.VIP, "D25d", ELECTRICITY_ITEMS),
              (products["gas"], Segment.VIP, None, GAS_ITEMS)]
    for product, segment, tariff, items in offers:
        for valid_from, valid_to, factor in ((date(year - 1, 1, 1), date(year - 1, 12, 31), Decimal("1.08")),
                                             (date(year, 1, 1), None, Decimal("1"))):
            name = f"Ceník {product.name} {valid_from.year}"
            price_list = PriceList(
                name=name, commodity=product.commodity, product=product, distribution_tariff=tariff,
                segment=segment, valid_from=valid_from, valid_to=valid_to,
                announced_at=utcnow(),  # published before the demo begins: no notices when staff edit it
                pdf=_pdf(f"cenik-{product.code.lower()}-{valid_from.year}.pdf", name,
                         [f"{c}: {p} {u} bez DPH" for c, u, p in items]),
            )
            price_list.items = [PriceItem(component=c, unit=u,
                                          price_without_vat=(Decimal(p) * factor).quantize(Decimal("0.0001")),
                                          vat_rate=Decimal("21")) for c, u, p in items]
            db.session.add(price_list)
    return products


def _point(customer, identifier, commodity, product, registers, **fields) -> SupplyPoint:
    point = SupplyPoint(customer=customer, identifier=identifier, commodity=commodity, product=product, **fields)
    meter = Meter(serial_number=f"{'EM' if commodity == Commodity.ELECTRICITY else 'PM'}{identifier[-7:]}",
                  installed_on=month_start(36))
    unit = "kWh" if commodity == Commodity.ELECTRICITY else "m3"
    meter.registers = [Register(code=code, unit=unit) for code in registers]
    point.meters = [meter]
    db.session.add(point)
    return point


def create_supply_points(customers: dict, products: dict) -> dict:
    jana, bakery, petr = customers["jana"], customers["bakery"], customers["petr"]
    points = {
        "jana": _point(jana, "859182400102993847", Commodity.ELECTRICITY, products["household"], ["T"],
                       street="Korunní 1208/74", city="Praha 10", postcode="10100", distribution_tariff="D02d",
                       circuit_breaker="3x25 A", annual_consumption_kwh=2800),
        "bakery_e": _point(bakery, "859182400102646743", Commodity.ELECTRICITY, products["business"], ["VT", "NT"],
                           street="Náměstí Svobody 12", city="Brno", postcode="60200",
                           distribution_tariff="D25d", circuit_breaker="3x63 A", annual_consumption_kwh=39000,
                           self_readings_allowed=True),
        "bakery_g": _point(bakery, "27ZG600Z0000001Y", Commodity.GAS, products["gas"], ["T"],
                           street="Náměstí Svobody 12", city="Brno", postcode="60200",
                           gas_band="nad 63 do 630 MWh", annual_consumption_kwh=20000, self_readings_allowed=True),
        "petr": _point(petr, "859182400110224391", Commodity.ELECTRICITY, products["household"], ["T"],
                       street="Štefánikova 2641/41", city="Brno", postcode="61200", distribution_tariff="D02d",
                       circuit_breaker="3x20 A", annual_consumption_kwh=3400),
    }
    db.session.flush()
    for key, point in points.items():
        _readings(point, MONTHLY[key])
        number = f"SML-{month_start(30).year}-{point.id:04d}"
        contract = Contract(
            number=number, customer=point.customer, product=point.product, valid_from=month_start(30),
            signed_document=_pdf(f"smlouva-{number}.pdf", f"Smlouva o sdružených službách dodávky č. {number}", [
                f"Zákazník: {point.customer.name}, zákaznické číslo {point.customer.number}",
                f"Odběrné místo: {point.identifier}, {point.address}",
                f"Produkt: {point.product.name}",
                "Smlouva se uzavírá na dobu neurčitou. Podepsáno elektronicky.",
            ]),
        )
        contract.supply_points = [point]
        db.session.add(contract)
    return points


def _readings(point: SupplyPoint, monthly: dict) -> None:
    """24 months of accepted readings: the distributor's every six months, and monthly
    self-readings where they are allowed; one self-reading waits for review."""
    meter = point.meters[0]
    for register in meter.registers:
        value = 10000 if register.code != "NT" else 4000
        for months_back in range(24, -1, -1):
            day = month_start(months_back)
            season = 1.25 if day.month in (11, 12, 1, 2) else 0.85 if day.month in (6, 7, 8) else 1.0
            value += int(monthly[register.code] * season)
            actual = months_back % 6 == 0
            if not (actual or point.self_readings_allowed):
                continue
            db.session.add(MeterReading(
                register=register, supply_point_id=point.id, read_on=day, value=value,
                kind=ReadingKind.ACTUAL if actual else ReadingKind.SELF,
                reason=None if actual else ReadingReason.PERIODIC, state=ReadingState.ACCEPTED,
            ))
        # A reading far above the usual consumption, waiting for the back office.
        # Yesterday's, so that today is free for a new reading in the demo.
        if point.self_readings_allowed and register.code in ("VT", "T") and date.today().day > 2:
            db.session.add(MeterReading(
                register=register, supply_point_id=point.id, read_on=date.today() - timedelta(days=1),
                value=value + monthly[register.code] * 6, kind=ReadingKind.SELF,
                reason=ReadingReason.EXTRAORDINARY, state=ReadingState.SUBMITTED,
            ))
