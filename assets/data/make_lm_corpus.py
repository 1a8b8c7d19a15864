#!/usr/bin/env python3
"""Generate the English and Korean sentence corpora for attnstep's language models.

What it writes (next to this script):

  lm-en-train.csv  lm-en-test.csv
  lm-ko-train.csv  lm-ko-test.csv

each with the header `text` and one short everyday sentence per row (UTF-8, no
BOM, LF line endings, quoted by the csv module where needed).  A tiny decoder
trained on them (`attnstep train ... --task lm`) should learn to continue a
prompt plausibly: who did what, where and when.

How the sentences are built:

* Subject - verb - object, with a place and a time: "my mother cooked soup in
  the kitchen yesterday." / "엄마는 어제 부엌에서 국을 끓였어요."  Every verb has
  its own objects and places (one drinks coffee at a cafe, one buys bread at
  the market), so the next word often depends on words further back than the
  one before it: the place on the verb (drank coffee -> at a cafe), the time
  word on the tense (ate ... yesterday, will eat ... tomorrow; 어제 ... past,
  매일 ... present), the Korean ending on the subject (저는 takes -어요/-습니다,
  나는 -다/-어).  A model with attention can use that; a bigram model cannot.
* English: past, present (with every day, usually, on weekends ...) and
  future (will ... tomorrow); he/she and singular nouns take -s in the
  present; some sentences are questions (did you ... ?), some describe the
  weather or how someone felt.  Lowercase, as attnstep reads it; every
  sentence ends in "." or "?", which attnstep makes a token of its own.
* Korean: the particles follow the final consonant of the noun before them
  (은/는, 이/가, 을/를, 와/과; 나 -> 내가, 저 -> 제가), four speech levels (plain
  -다, polite -어요/-아요, formal -습니다, casual -어/-아) in the past and the
  present, time words first or after the subject.  Verb forms come from a
  hand-written table (past stem, present -다, -어/-아, -습니다), not from rules,
  so that irregular verbs (쓰다 -> 썼다, 만들다 -> 만듭니다, 걷다 -> 걸었다,
  춥다 -> 추워요) are right.  No honorific subjects, which would need -시-.
* Train and test: sentences are drawn at random (seeded), duplicates dropped,
  until TRAIN sentences make the training file; the test file is made of the
  next sentences drawn that are not in training and whose every token occurs
  in training, so a model is tested on new combinations of known words.

The script is deterministic: it uses its own seeded random.Random and
re-running it writes byte-identical files.

Usage: python3 assets/data/make_lm_corpus.py
"""
import csv
import os
import random
from words import tokens

SEED = 20261129
TARGET = {"train": 2000, "test": 200}  # sentences per language and split
HERE = os.path.dirname(os.path.abspath(__file__))

# --------------------------------------------------------------------------
# English
# --------------------------------------------------------------------------
# Subjects: (words, third person singular?)
EN_SUBJECTS = [("i", False), ("you", False), ("we", False), ("they", False), ("he", True), ("she", True),
               ("my brother", True), ("my sister", True), ("my mother", True), ("my father", True),
               ("my friend", True), ("my parents", False), ("the children", False), ("our teacher", True),
               ("tom", True), ("anna", True), ("the boy", True), ("the girl", True), ("my friends", False)]

# Verbs: (base, third person -s form, past, objects, places); places may be empty.
HOME = ["at home", "in the kitchen"]
EN_VERBS = [
    ("eat", "eats", "ate", ["breakfast", "lunch", "dinner", "an apple", "some bread", "rice", "noodles",
                            "a sandwich", "cake", "fruit"],
     ["at home", "in the kitchen", "at school", "at a restaurant", "in the park"]),
    ("drink", "drinks", "drank", ["coffee", "tea", "milk", "water", "orange juice"],
     ["at home", "in the kitchen", "at a cafe", "at the office"]),
    ("read", "reads", "read", ["a book", "the newspaper", "a letter", "a story", "a comic book", "a novel"],
     ["at home", "in the library", "on the bus", "in bed", "in the park"]),
    ("write", "writes", "wrote", ["a letter", "an email", "a story", "a poem", "a report"],
     ["at home", "at school", "in the library", "at the office"]),
    ("watch", "watches", "watched", ["a movie", "the news", "tv", "a soccer game", "a cartoon"],
     ["at home", "in the living room"]),
    ("buy", "buys", "bought", ["bread", "milk", "fruit", "a new bag", "new shoes", "flowers", "a book",
                               "vegetables"],
     ["at the market", "at the store", "at the mall"]),
    ("cook", "cooks", "cooked", ["dinner", "rice", "soup", "noodles", "eggs", "pasta"], HOME),
    ("make", "makes", "made", ["a cake", "cookies", "sandwiches", "breakfast", "a kite"], HOME),
    ("clean", "cleans", "cleaned", ["the room", "the kitchen", "the house", "the car", "the bathroom"], []),
    ("wash", "washes", "washed", ["the dishes", "the car", "the clothes"], []),
    ("play", "plays", "played", ["soccer", "tennis", "basketball", "the piano", "games", "cards"],
     ["in the park", "at school", "at home"]),
    ("study", "studies", "studied", ["english", "math", "science", "history", "korean"],
     ["at home", "at school", "in the library"]),
    ("meet", "meets", "met", ["a friend", "my cousin", "the new teacher", "our neighbors"],
     ["at a cafe", "at the station", "in the park", "at school"]),
    ("visit", "visits", "visited", ["the museum", "the zoo", "the library", "an old friend"], []),
]
# Verbs without an object: (base, -s form, past, what follows)
EN_INTRANS = [
    ("go", "goes", "went", ["to school", "to the park", "to the market", "to the beach", "to the library",
                            "to work", "to bed early", "home", "to the hospital"]),
    ("walk", "walks", "walked", ["to school", "in the park", "home", "along the river"]),
    ("run", "runs", "ran", ["in the park", "along the river", "to the station"]),
    ("swim", "swims", "swam", ["in the pool", "at the beach", "in the sea"]),
    ("stay", "stays", "stayed", ["at home", "in bed", "at the office"]),
    ("sleep", "sleeps", "slept", ["well", "late", "on the sofa"]),
    ("come", "comes", "came", ["home late", "home early", "to school early"]),
]
EN_PAST_TIMES = ["yesterday", "last night", "this morning", "on sunday", "on saturday", "last week",
                 "after school", "after lunch", "in the evening"]
EN_PRESENT_TIMES = ["every day", "every morning", "every evening", "on weekends", "on sundays", "after school"]
EN_OFF_HOURS = {"last night", "on sunday", "on saturday", "on sundays", "on weekends", "tonight", "this weekend",
                "in the evening", "every evening"}
EN_ADVERBS = ["usually", "often", "always", "sometimes"]
EN_FUTURE_TIMES = ["tomorrow", "tonight", "next week", "this weekend", "after school", "in the evening"]
EN_FEELING_TIMES = ["yesterday", "last night", "this morning", "after school", "after lunch", "in the evening"]
EN_FEELINGS = ["tired", "happy", "hungry", "busy", "sleepy", "sick", "bored"]
EN_WEATHER_PAST = ["cold", "hot", "sunny", "windy", "cloudy", "rainy"]


def en_be(subject, third, tense):
    if tense == "past":
        return "was" if third or subject == "i" else "were"
    return "am" if subject == "i" else "is" if third else "are"


def en_sentence(rng):
    """A sentence; parents go to work, not to school (my father went to work after work -> in the evening)."""
    s = en_draft(rng)
    if any(p in s for p in ("my mother", "my father", "my parents")):
        s = s.replace("after school", "after work").replace("to school", "to work").replace("at school", "at work")
        if "after work" in s and any(w in s for w in ("to work", "at work", "at the office")):
            s = s.replace("after work", "in the evening")
    return s


def en_draft(rng):
    kind = rng.choices(["object", "motion", "feeling", "weather", "question"], [10, 4, 1.5, 1, 1.5])[0]
    subject, third = rng.choice(EN_SUBJECTS)
    if kind == "weather":
        tense = rng.choice(["past", "present", "future"])
        if tense == "past":
            return f"it was {rng.choice(EN_WEATHER_PAST)} {rng.choice(EN_PAST_TIMES[:6])}."
        if tense == "present":
            return f"it is {rng.choice(EN_WEATHER_PAST)} today."
        return f"it will {rng.choice(['rain', 'snow', 'be cold', 'be hot', 'be sunny'])} {rng.choice(EN_FUTURE_TIMES[:4])}."
    if kind == "feeling":
        tense = rng.choice(["past", "past", "present"])
        when = rng.choice(EN_FEELING_TIMES) if tense == "past" else "today"
        return f"{subject} {en_be(subject, third, tense)} {rng.choice(EN_FEELINGS)} {when}."
    if kind == "object" or kind == "question":
        base, s, past, objects, places = rng.choice(EN_VERBS)
        rest = [rng.choice(objects)]
        if places and rng.random() < 0.6:
            rest.append(rng.choice(places))
        goals = places
    else:
        base, s, past, goals = rng.choice(EN_INTRANS)
        rest = [rng.choice(goals)]
    far = [t for t in EN_PAST_TIMES if "school" not in t or not any("school" in r for r in rest)]
    if kind == "question":
        subject, third = rng.choice([x for x in EN_SUBJECTS if x[0] != "i"])
        daytime = any(r in ("at school", "at the office") for r in rest)
        if rng.random() < 0.7:
            when = rng.choice([t for t in far if not daytime or t not in EN_OFF_HOURS])
            return f"did {subject} {base} {' '.join(rest)} {when}?"
        when = rng.choice([t for t in EN_PRESENT_TIMES if not daytime or t not in EN_OFF_HOURS])
        return f"{'does' if third else 'do'} {subject} {base} {' '.join(rest)} {when}?"
    tense = rng.choices(["past", "present", "future"], [5, 3, 2])[0]
    if tense == "past":
        verb, when = past, rng.choice(far)
    elif tense == "future":
        verb, when = "will " + base, rng.choice(EN_FUTURE_TIMES)
    else:
        verb = s if third else base
        if rng.random() < 0.4:
            verb, when = rng.choice(EN_ADVERBS) + " " + verb, ""
        else:
            when = rng.choice(EN_PRESENT_TIMES)
    if "school" in when and any("school" in r for r in rest):  # not "at school after school"
        when = "in the evening"
    if when in EN_OFF_HOURS:  # school and work are for weekdays and daytime
        day = ("at school", "at the office", "to school", "to work", "to school early")
        kept = [r for r in rest if r not in day]
        rest = kept if kept or not rest else [rng.choice([g for g in goals if g not in day])]
    if when and rng.random() < 0.25:
        words = [when, subject, verb] + rest
    else:
        words = [subject, verb] + rest + ([when] if when else [])
    return " ".join(words) + "."


# --------------------------------------------------------------------------
# Korean
# --------------------------------------------------------------------------
def batchim(word):
    """Whether the last syllable of word has a final consonant (받침)."""
    c = ord(word[-1])
    return 0xAC00 <= c <= 0xD7A3 and (c - 0xAC00) % 28 != 0


def josa(word, with_final, without_final):
    return word + (with_final if batchim(word) else without_final)


# Subjects: (noun, speech levels it takes). 나 speaks plainly or casually, 저 politely or formally.
LEVELS = ["plain", "polite", "formal", "casual"]
KO_SUBJECTS = [("나", ["plain", "casual"]), ("저", ["polite", "formal"]), ("우리", LEVELS), ("동생", LEVELS),
               ("언니", LEVELS), ("형", LEVELS), ("누나", LEVELS), ("오빠", LEVELS), ("엄마", LEVELS),
               ("아빠", LEVELS), ("친구", LEVELS), ("아이들", LEVELS), ("민수", LEVELS), ("지호", LEVELS),
               ("친구들", LEVELS)]
SUBJECT_FORMS = {"나": "내가", "저": "제가"}  # 나 + 가, 저 + 가


def ko_subject(rng, noun, tense):
    """은/는 (the topic), or in a past event sometimes 이/가; a habit takes the topic: 보통 나는 ..."""
    if tense != "past" or rng.random() < 0.7:
        return josa(noun, "은", "는")
    return SUBJECT_FORMS.get(noun) or josa(noun, "이", "가")


# Verb forms: (past stem, present -다, present -어/-아, present -습니다); action verbs take -ㄴ다/-는다 in the
# plain present (먹는다, 공부한다), adjectives keep -다 (피곤하다, 춥다).
def hada(noun):
    return (noun + "했", noun + "한다", noun + "해", noun + "합니다")


KO_FORMS = {
    "먹다": ("먹었", "먹는다", "먹어", "먹습니다"), "마시다": ("마셨", "마신다", "마셔", "마십니다"),
    "읽다": ("읽었", "읽는다", "읽어", "읽습니다"), "쓰다": ("썼", "쓴다", "써", "씁니다"),
    "보다": ("봤", "본다", "봐", "봅니다"), "사다": ("샀", "산다", "사", "삽니다"),
    "만들다": ("만들었", "만든다", "만들어", "만듭니다"), "하다": hada(""), "치다": ("쳤", "친다", "쳐", "칩니다"),
    "공부하다": hada("공부"), "배우다": ("배웠", "배운다", "배워", "배웁니다"),
    "만나다": ("만났", "만난다", "만나", "만납니다"), "기다리다": ("기다렸", "기다린다", "기다려", "기다립니다"),
    "청소하다": hada("청소"), "끓이다": ("끓였", "끓인다", "끓여", "끓입니다"),
    "가다": ("갔", "간다", "가", "갑니다"), "오다": ("왔", "온다", "와", "옵니다"),
    "걷다": ("걸었", "걷는다", "걸어", "걷습니다"), "산책하다": hada("산책"), "수영하다": hada("수영"),
    "자다": ("잤", "잔다", "자", "잡니다"), "놀다": ("놀았", "논다", "놀아", "놉니다"),
    "좋다": ("좋았", "좋다", "좋아", "좋습니다"), "춥다": ("추웠", "춥다", "추워", "춥습니다"),
    "덥다": ("더웠", "덥다", "더워", "덥습니다"), "맑다": ("맑았", "맑다", "맑아", "맑습니다"),
    "흐리다": ("흐렸", "흐리다", "흐려", "흐립니다"), "피곤하다": ("피곤했", "피곤하다", "피곤해", "피곤합니다"), "행복하다": ("행복했", "행복하다", "행복해", "행복합니다"),
    "바쁘다": ("바빴", "바쁘다", "바빠", "바쁩니다"), "배고프다": ("배고팠", "배고프다", "배고파", "배고픕니다"),
    "졸리다": ("졸렸", "졸리다", "졸려", "졸립니다"),
}


def ko_conj(verb, tense, level):
    past, plain, casual, formal = KO_FORMS[verb]
    if tense == "past":
        return past + {"plain": "다", "polite": "어요", "formal": "습니다", "casual": "어"}[level]
    return {"plain": plain, "polite": casual + "요", "formal": formal, "casual": casual}[level]


# Transitive verbs: (verb, objects, places)
KO_VERBS = [
    ("먹다", ["밥", "빵", "사과", "라면", "김밥", "국수", "과자", "떡볶이", "아침", "점심", "저녁"],
     ["집에서", "부엌에서", "학교에서", "식당에서", "공원에서"]),
    ("마시다", ["커피", "우유", "물", "주스", "녹차"], ["집에서", "카페에서", "회사에서"]),
    ("읽다", ["책", "신문", "편지", "소설", "만화책"], ["집에서", "도서관에서", "버스에서", "공원에서"]),
    ("쓰다", ["편지", "일기", "이메일", "보고서"], ["집에서", "학교에서", "도서관에서"]),
    ("보다", ["영화", "뉴스", "드라마", "축구 경기", "만화"], ["집에서", "거실에서"]),
    ("사다", ["빵", "우유", "과일", "가방", "신발", "꽃", "책", "채소"], ["시장에서", "가게에서", "마트에서"]),
    ("만들다", ["케이크", "김밥", "샌드위치", "쿠키", "떡볶이"], ["집에서", "부엌에서"]),
    ("끓이다", ["라면", "국", "찌개", "물"], ["집에서", "부엌에서"]),
    ("하다", ["축구", "숙제", "게임", "운동", "테니스", "청소"], ["공원에서", "학교에서", "집에서"]),
    ("치다", ["피아노", "기타"], ["집에서", "학교에서"]),
    ("공부하다", ["영어", "수학", "과학", "역사", "한국어"], ["집에서", "학교에서", "도서관에서"]),
    ("배우다", ["영어", "수영", "요리", "피아노", "태권도"], ["학교에서", "학원에서"]),
    ("만나다", ["친구", "사촌", "이웃"], ["카페에서", "역에서", "공원에서"]),
    ("기다리다", ["버스", "친구", "엄마"], ["역에서", "정류장에서"]),
    ("청소하다", ["방", "부엌", "교실", "화장실"], []),
]
# Verbs without an object: (verb, what comes before it)
KO_INTRANS = [
    ("가다", ["학교에", "공원에", "시장에", "바다에", "도서관에", "병원에", "회사에", "마트에"]),
    ("오다", ["집에 일찍", "집에 늦게", "학교에 일찍"]),
    ("걷다", ["공원에서", "강가를", "학교까지"]),
    ("산책하다", ["공원에서", "강가에서"]),
    ("수영하다", ["바다에서", "수영장에서"]),
    ("자다", ["일찍", "늦게", "푹", "소파에서"]),
    ("놀다", ["공원에서", "집에서", "놀이터에서"]),
]
KO_COMPANIONS = ["친구", "동생", "엄마", "형", "가족", "아빠"]  # ~와/과 함께 (가다, 놀다, 산책하다)
KO_PAST_TIMES = ["어제", "어젯밤에", "오늘 아침에", "지난 주말에", "일요일에", "토요일에", "점심에", "저녁에"]
KO_PRESENT_TIMES = ["매일", "아침마다", "저녁마다", "주말마다", "보통", "가끔"]
KO_FEELING_TIMES = ["어제", "어젯밤에", "오늘 아침에", "점심에", "저녁에"]
KO_OFF_HOURS = {"어젯밤에", "일요일에", "토요일에", "지난 주말에", "저녁에", "저녁마다", "주말마다"}
KO_FEELINGS = ["피곤하다", "행복하다", "바쁘다", "배고프다", "졸리다"]
KO_WEATHER = ["좋다", "춥다", "덥다", "맑다", "흐리다"]


def ko_level(rng, levels):
    return rng.choices(levels, [{"plain": 3, "polite": 3, "formal": 1.5, "casual": 2}[lv] for lv in levels])[0]


def ko_sentence(rng):
    kind = rng.choices(["object", "motion", "feeling", "weather"], [10, 4, 1.5, 1.5])[0]
    tense = rng.choices(["past", "present"], [3, 2])[0]
    when = rng.choice(KO_PAST_TIMES if tense == "past" else KO_PRESENT_TIMES)
    if kind == "weather":
        level = ko_level(rng, LEVELS)
        if tense == "present":
            when = "오늘은"
        if rng.random() < 0.3:
            return f"{when} {rng.choice(['비가', '눈이'])} {ko_conj('오다', tense, level)}."
        return f"{when} 날씨가 {ko_conj(rng.choice(KO_WEATHER), tense, level)}."
    noun, levels = rng.choice(KO_SUBJECTS)
    level = ko_level(rng, levels)
    subject = ko_subject(rng, noun, tense)
    if kind == "feeling":
        if tense == "present":
            when = "오늘"
        else:
            when = rng.choice(KO_FEELING_TIMES)
        rest, verb = [], rng.choice(KO_FEELINGS)
    elif kind == "object":
        verb, objects, before = rng.choice(KO_VERBS)
        places = before
        obj = rng.choice([o for o in objects if o != noun and not when.startswith(o)])  # not 저녁에 저녁을
        rest = ([rng.choice(places)] if places and rng.random() < 0.6 else []) + [josa(obj, "을", "를")]
    else:
        verb, before = rng.choice(KO_INTRANS)
        rest = [rng.choice(before)]
        if verb in ("가다", "놀다", "산책하다") and rng.random() < 0.35:
            rest.insert(0, josa(rng.choice([c for c in KO_COMPANIONS if not noun.startswith(c)]), "과", "와") + " 함께")
    if when in KO_OFF_HOURS:  # school and work are for weekdays and daytime
        day = ("학교에서", "회사에서", "학교에", "회사에", "학교에 일찍")
        kept = [r for r in rest if r not in day]
        rest = kept if kept or not rest else [rng.choice([b for b in before if b not in day])]
    words = ([when, subject] if rng.random() < 0.5 else [subject, when]) + rest
    return " ".join(words + [ko_conj(verb, tense, level)]) + "."


# --------------------------------------------------------------------------
# Building the splits
# --------------------------------------------------------------------------


def build(rng, sentence):
    train, seen = [], set()
    while len(train) < TARGET["train"]:
        s = sentence(rng)
        if s not in seen:
            seen.add(s)
            train.append(s)
    vocab = {t for s in train for t in tokens(s)}
    test, tries = [], 0
    while len(test) < TARGET["test"]:
        tries += 1
        if tries > 100000:
            raise SystemExit("make_lm_corpus: ran out of test sentences")
        s = sentence(rng)
        if s not in seen and all(t in vocab for t in tokens(s)):
            seen.add(s)
            test.append(s)
    return {"train": train, "test": test}


def write(path, rows):
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["text"])
        w.writerows([r] for r in rows)


def main():
    for lang, sentence in (("en", en_sentence), ("ko", ko_sentence)):
        rng = random.Random(f"{SEED}-{lang}")
        splits = build(rng, sentence)
        vocab = {t for s in splits["train"] for t in tokens(s)}
        for split, rows in splits.items():
            path = os.path.join(HERE, f"lm-{lang}-{split}.csv")
            write(path, rows)
            n = sum(len(tokens(s)) for s in rows)
            print(f"{os.path.relpath(path)}: {len(rows)} sentences, {n} tokens")
        print(f"lm-{lang}: {len(vocab)} distinct tokens in training")


if __name__ == "__main__":
    main()
