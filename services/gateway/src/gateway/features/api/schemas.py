"""Shapes of the public JSON API /api/v1 (money in grosze, quantities as decimal strings)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import Path
from pydantic import AfterValidator, BaseModel, Field


def _text(value: str) -> str:
    """Refuse what cannot travel as UTF-8 text (lone surrogates, NUL)."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("Tekst zawiera niedozwolone znaki.") from None
    if "\x00" in value:
        raise ValueError("Tekst zawiera niedozwolone znaki.")
    return value


Text = Annotated[str, AfterValidator(_text)]
ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$"
PayerId = Annotated[str, Path(pattern=ID_PATTERN, description="Numer kartoteki, np. P-000001")]
ObjectId = Annotated[str, Path(pattern=ID_PATTERN)]


class ErrorBody(BaseModel):
    status: int
    message: str = Field(description="Komunikat po polsku")
    code: str | None = None
    field: str | None = Field(default=None, description="Pole, którego dotyczy błąd")


class ErrorResponse(BaseModel):
    error: ErrorBody


class Me(BaseModel):
    subject: str
    roles: list[str]
    payers: list[str]
    name: str = ""
    email: str = ""


class ModuleOut(BaseModel):
    key: str
    label: str
    section: str
    order: int


class PayerOut(BaseModel):
    payer_id: str
    name: str
    address: str
    virtual_account: str = Field(description="Indywidualny rachunek do wpłat (NRB, 26 cyfr)")
    credit_grosze: int


class ModuleBalanceOut(BaseModel):
    module: str
    charged_grosze: int
    paid_grosze: int
    outstanding_grosze: int
    overdue_grosze: int
    interest_grosze: int
    reminder_costs_grosze: int
    to_pay_grosze: int
    in_progress_grosze: int
    next_due_date: date | None


class BalanceOut(BaseModel):
    total: ModuleBalanceOut
    modules: list[ModuleBalanceOut]
    credit_grosze: int


class ChargeOut(BaseModel):
    charge_id: str
    module: str
    title: str
    document_number: str
    document_id: str
    due_date: date | None
    amount_grosze: int
    outstanding_grosze: int
    interest_grosze: int
    status: str = Field(description="open | overdue | in_progress | paid")
    kind: str


class DocumentOut(BaseModel):
    document_id: str
    module: str
    kind: str
    number: str
    title: str
    gross_grosze: int
    issued_on: date | None
    due_date: date | None
    corrects_number: str
    reason: str
    download_url: str
    ksef_number: str = Field(
        "", description="Numer faktury w KSeF (faktury dla firm); pusty, dopóki KSeF go nie nada"
    )
    structured_invoice_url: str | None = Field(
        None,
        description="Faktura ustrukturyzowana FA(3) (XML, KSeF) — faktury i ich korekty dla "
        "płatników z NIP; null: dokument jej nie ma (PDF jest fakturą)",
    )


class PaymentOut(BaseModel):
    payment_id: str
    amount_grosze: int
    channel: str
    status: str = Field(description="started | in_progress | settled | failed")
    provider: str
    title: str
    paid_on: date | None
    charge_ids: list[str]
    created_at: str


class StartPayment(BaseModel):
    charge_ids: list[Annotated[Text, Field(max_length=64)]] = Field(
        default_factory=list, max_length=100, description="Puste: wszystko, co jest do zapłaty"
    )
    return_url: Annotated[Text, Field(max_length=500)] = Field(
        default="", description="Dokąd operator odeśle płatnika (adres https aplikacji)"
    )


class PaymentStarted(BaseModel):
    payment: PaymentOut
    redirect_url: str


class Instructions(BaseModel):
    recipient_name: str
    account: str
    amount_grosze: int
    title: str
    qr_payload: str = Field(description="Kod QR w formacie ZBP")


class MeterOut(BaseModel):
    meter_id: str
    kind: str
    serial: str
    active: bool
    last_value_m3: int
    last_value_date: date | None


class PremisesOut(BaseModel):
    premises_id: str
    number: str
    address: str
    group: str
    meters: list[MeterOut]


class ReadingValueOut(BaseModel):
    meter_id: str
    meter_serial: str
    value_m3: int
    submitted_m3: int
    previous_m3: int
    consumption_m3: str


class InvoiceLineOut(BaseModel):
    description: str
    quantity: str
    unit: str
    unit_net_grosze: int
    net_grosze: int
    vat_rate: str
    vat_grosze: int
    gross_grosze: int


class InvoicePreviewOut(BaseModel):
    period_from: date | None
    period_to: date | None
    lines: list[InvoiceLineOut]
    net_grosze: int
    vat_grosze: int
    gross_grosze: int
    water_m3: str
    sewage_m3: str


class ReadingOut(BaseModel):
    reading_id: str
    premises_id: str
    reading_date: date | None
    source: str
    status: str = Field(description="pending | accepted | corrected | rejected | superseded")
    status_label: str
    reason: str
    values: list[ReadingValueOut]
    preview: InvoicePreviewOut | None


class WarningOut(BaseModel):
    code: str
    message: str
    field: str


class ValueIn(BaseModel):
    meter_id: Annotated[Text, Field(min_length=1, max_length=64)]
    value_m3: Annotated[Text, Field(max_length=20, description='Pełne m³, np. "230"')]


class ReadingIn(BaseModel):
    reading_date: date
    values: list[ValueIn] = Field(min_length=1, max_length=10)
    idempotency_key: Annotated[Text, Field(min_length=8, max_length=64)] = Field(
        description="Losowy klucz: ponowne wysłanie z tym samym kluczem nie tworzy drugiego odczytu"
    )
    confirm_warnings: bool = False


class PreviewIn(BaseModel):
    reading_date: date
    values: list[ValueIn] = Field(min_length=1, max_length=10)


class PreviewOut(BaseModel):
    preview: InvoicePreviewOut | None
    warnings: list[WarningOut]


class SubmitOut(BaseModel):
    reading: ReadingOut | None
    warnings: list[WarningOut]
    needs_confirmation: bool
    repeated_submission: bool


class TopicOut(BaseModel):
    key: str
    label: str


class MessageOut(BaseModel):
    author_kind: str
    author_name: str
    body: str
    created_at: str


class CaseOut(BaseModel):
    case_id: str
    number: str
    topic: str
    subject: str
    status: str = Field(description="open | answered | closed")
    status_label: str
    created_at: str
    updated_at: str
    message_count: int
    messages: list[MessageOut]


class CaseIn(BaseModel):
    topic: Annotated[Text, Field(max_length=40)]
    subject: Annotated[Text, Field(max_length=150)]
    body: Annotated[Text, Field(max_length=5000)]


class ReplyIn(BaseModel):
    body: Annotated[Text, Field(max_length=5000)]


class StatementEntryOut(BaseModel):
    booked_on: date | None
    kind: str = Field(
        description="charge | interest | reminder_cost | payment | correction | refund"
    )
    module: str = Field(
        description="Klucz sekcji; puste przy wpłacie i zwrocie dla całej kartoteki"
    )
    description: str = Field(description="Opis po polsku, jak w kartotece")
    document_number: str
    document_id: str = Field(description="Dokument do pobrania (puste, gdy go nie ma)")
    download_url: str
    debit_grosze: int = Field(description="Naliczono: zwiększa saldo")
    credit_grosze: int = Field(description="Wpłacono / uznano: zmniejsza saldo")
    balance_grosze: int = Field(description="Saldo po operacji")


class StatementOut(BaseModel):
    payer_id: str
    module: str
    date_from: date
    date_to: date
    opening_balance_grosze: int = Field(
        description="Saldo na początek okresu: dodatnie — do zapłaty, ujemne — nadpłata"
    )
    closing_balance_grosze: int = Field(description="Saldo na koniec okresu")
    debit_total_grosze: int
    credit_total_grosze: int
    entries: list[StatementEntryOut]
