"""An Arabic draft for the right-to-left tests: a few sentences translated, the rest falling back
to English, as in a catalog being translated. The sentences chosen put Latin data (the phone
number, the reference, a count) inside Arabic text, where an unisolated one would turn around."""

from tests.test_languages import FIRST_SENTENCE

REMAINING = "You have %(num)s character remaining"
TOO_MANY = "You have %(num)s character too many"
TOO_LONG = "Your message is %(count)s character too long"

# Arabic's six plural forms, in its Plural-Forms' order: zero, one, two, few, many, other.
ARABIC = {
    FIRST_SENTENCE: "غوتنبرغ مدينة مستدامة.",
    "Skip to main content": "انتقل إلى المحتوى الرئيسي",
    "Page not found": "الصفحة غير موجودة",
    "There is a problem": "توجد مشكلة",
    "Enter your message": "اكتب رسالتك",
    "Send": "إرسال",
    "Thank you! We have received your message.": "شكرًا لك! لقد استلمنا رسالتك.",
    "Your reference number is %(reference)s.": "رقمك المرجعي هو %(reference)s.",
    "You can also call Gothenburg’s contact centre on %(phone)s.": "يمكنك أيضًا الاتصال بمركز خدمة غوتنبرغ على الرقم %(phone)s.",
    REMAINING: [
        "لم يتبق لديك أي حرف (%(num)s)",
        "بقي لديك حرف واحد (%(num)s)",
        "بقي لديك حرفان (%(num)s)",
        "بقي لديك %(num)s أحرف",
        "بقي لديك %(num)s حرفًا",
        "بقي لديك %(num)s حرف",
    ],
    TOO_MANY: [
        "لديك %(num)s حرف زائد",
        "لديك حرف واحد زائد (%(num)s)",
        "لديك حرفان زائدان (%(num)s)",
        "لديك %(num)s أحرف زائدة",
        "لديك %(num)s حرفًا زائدًا",
        "لديك %(num)s حرف زائد",
    ],
    TOO_LONG: [
        "رسالتك أطول من اللازم بـ %(count)s حرف",
        "رسالتك أطول من اللازم بحرف واحد (%(count)s)",
        "رسالتك أطول من اللازم بحرفين (%(count)s)",
        "رسالتك أطول من اللازم بـ %(count)s أحرف",
        "رسالتك أطول من اللازم بـ %(count)s حرفًا",
        "رسالتك أطول من اللازم بـ %(count)s حرف",
    ],
}
