#!/usr/bin/env python3
"""Generate the English and Korean sentiment data sets for attnstep.

What it writes (next to this script):

  sentiment-en-train.csv  sentiment-en-test.csv
  sentiment-ko-train.csv  sentiment-ko-test.csv

each with the header `text,label`; the labels are `positive` / `negative` in
English and 긍정 / 부정 in Korean, so that a model trained on the Korean data
names its classes in Korean (UTF-8, no BOM, LF line endings, quoted by the csv
module where needed).

Why it looks the way it does: attnstep trains a tiny transformer on these
sentences to show a class that attention learns to relate "good" to the
"not" in front of it.  That lesson only works if the words alone do not give
the answer away, so that a bag-of-words model (see baseline.py) fails where a
model that reads the words in relation to each other succeeds.  Therefore:

* Every sentence is built as part of a small self-balancing set, usually a
  "quad" over one subject and one pair of adjectives (or verbs):

      the movie was good          positive
      the movie was not good      negative
      the movie was boring        negative
      the movie was not boring    positive

  In each set every word occurs as often in positive as in negative
  sentences, and half of the sentences carry the negation (not, n't, never,
  nobody, no, 안, -지 않았다, 아니었다, 없었다, ...).  Labels follow from
  composition only: the polarity of the adjective or verb, flipped by the
  negation.  Both classes are therefore exactly balanced in every file, and
  in English every word is: a bag-of-words model learns nothing at all.
  Where negation changes the verb form ("liked" -> "did not like") the set
  has eight sentences, so that liked/like/hated/hate stay balanced too.
* Korean is split on spaces only, so a stem like 재미있지 (used only in front
  of 않았다) would betray the label on its own.  The long negation "X지
  않았다" is therefore paired with the colloquial confirming ending "정말
  X지" ("it's really X, isn't it"), so that every written word form is seen
  in both classes; short negation uses 안 + the same past form as the plain
  sentence.  A few forms that give their label away (별로였다, 별로지 and
  나쁘지, 잘했다 / 잘 못했다, 웃음을 / 하품을 참지 못했다) are kept, in small
  numbers, because they are what Korean speakers really say.
* A quarter of the (subject, adjective-pair) combinations of every template
  is held out: the test set is made of those only, so it measures whether
  the model generalises the negation rule to combinations it has not seen.
  Every word of a test sentence does occur in training, no test sentence
  occurs in training, and no file has duplicates.
* Everyday forms: each Korean set picks one speech level (plain -다, polite
  -어요/-아요, formal -습니다, casual -어/-아) and one tense (past, or present
  unless it is a one-off event) for all its sentences, so every conjugated
  form is seen in both classes; subjects take 은/는, 이/가 or 도, objects 을/를
  or 도.  English subjects also come in the plural (these movies weren't ...),
  n't is as frequent as not, tag questions add "," and "?", and some sets end
  in "." or "!".
* Sentences have 3 to 10 words and are meant to read naturally: event nouns
  (trip, party, 소풍, 축제) stay in the past tense, adjectives that do not
  take "very" (terrible, amazing) do not get it, and so on.

The script is deterministic: it uses its own seeded random.Random and
re-running it writes byte-identical files.

Usage: python3 assets/data/make_sentiment.py
"""
import csv
import os
import random
from words import tokens

SEED = 20240611
TARGET = {"train": 1600, "test": 320}  # sentences per language and split
TEST_SHARE = 0.25  # share of combinations held out for the test set
HERE = os.path.dirname(os.path.abspath(__file__))

POS, NEG = "positive", "negative"  # internal; written as LABELS[lang][POS] ...
LABELS = {"en": {POS: "positive", NEG: "negative"}, "ko": {POS: "긍정", NEG: "부정"}}


# --------------------------------------------------------------------------
# English vocabulary
# --------------------------------------------------------------------------
# Groups of subjects that share the adjective pairs (positive, negative) that
# suit all of them, and the (positive, excess) pairs for "very X" / "too Y".
# A subject is (head noun, determiners); PLURAL lists the plural heads.
EN_GROUPS = [
    dict(subjects=[("movie", ["the", "this", "that", "the new"]), ("film", ["the", "this", "that"]),
                   ("show", ["the", "this", "the new"]), ("cartoon", ["the", "this"]),
                   ("play", ["the", "the school"]), ("documentary", ["the", "this"])],
         pairs=[("good", "bad"), ("great", "terrible"), ("interesting", "boring"), ("exciting", "dull"),
                ("fun", "boring"), ("wonderful", "awful"), ("awesome", "disappointing")],
         too=[("good", "long"), ("interesting", "long"), ("exciting", "slow"), ("good", "scary"),
              ("funny", "long")]),
    dict(subjects=[("ending", ["the"]), ("story", ["the", "this"]), ("plot", ["the"])],
         pairs=[("good", "bad"), ("great", "terrible"), ("interesting", "boring"), ("clever", "predictable")],
         too=[("good", "sad"), ("clever", "confusing"), ("interesting", "slow")]),
    dict(subjects=[("soup", ["the", "this"]), ("pizza", ["the", "this"]), ("noodles", ["the"]),
                   ("curry", ["the", "this"]), ("sandwich", ["the", "this", "my"]), ("meal", ["the", "this"]),
                   ("pasta", ["the", "this"]), ("dumplings", ["the"]), ("burger", ["the", "this"]),
                   ("school lunch", ["the"])],
         pairs=[("good", "bad"), ("delicious", "awful"), ("tasty", "bland"), ("great", "terrible"),
                ("excellent", "horrible")],
         too=[("good", "salty"), ("good", "spicy"), ("tasty", "salty"), ("delicious", "spicy"),
              ("good", "greasy")]),
    dict(subjects=[("cake", ["the", "this", "the birthday"]), ("bread", ["the", "this"]),
                   ("cookies", ["the", "these"]), ("pie", ["the", "this"]), ("dessert", ["the"])],
         pairs=[("good", "bad"), ("delicious", "awful"), ("fresh", "stale"), ("great", "terrible"),
                ("yummy", "disgusting")],
         too=[("good", "sweet"), ("delicious", "sweet"), ("good", "dry")]),
    dict(subjects=[("coffee", ["the", "this"]), ("tea", ["the", "this"]), ("hot chocolate", ["the"])],
         pairs=[("good", "bad"), ("great", "awful"), ("hot", "cold"), ("nice", "bland")],
         too=[("good", "sweet"), ("nice", "bitter"), ("good", "strong"), ("nice", "hot")]),
    dict(subjects=[("book", ["the", "this", "that", "the new"]), ("novel", ["the", "this"]),
                   ("comic", ["the", "this"]), ("poem", ["the", "this"]), ("magazine", ["the", "this"])],
         pairs=[("good", "bad"), ("interesting", "boring"), ("exciting", "dull"), ("great", "terrible"),
                ("fun", "boring"), ("wonderful", "disappointing")],
         too=[("good", "long"), ("interesting", "long"), ("good", "sad"), ("interesting", "hard")]),
    dict(subjects=[("textbook", ["the", "this", "our", "the new"]), ("article", ["the", "this"]),
                   ("guide", ["the", "this"]), ("map", ["the", "this"])],
         pairs=[("clear", "confusing"), ("useful", "confusing"), ("good", "bad"), ("helpful", "confusing")],
         too=[("clear", "long"), ("useful", "hard"), ("good", "hard")]),
    dict(subjects=[("weather", ["the"]), ("day", ["the", "that"]), ("morning", ["the", "this"]),
                   ("afternoon", ["the", "this"]), ("evening", ["the", "that"]), ("weekend", ["the"]),
                   ("summer", ["the", "this"])],
         pairs=[("nice", "awful"), ("lovely", "terrible"), ("good", "bad"), ("sunny", "gloomy"),
                ("warm", "cold"), ("beautiful", "horrible")],
         too=[("nice", "hot"), ("nice", "cold"), ("warm", "windy"), ("pleasant", "humid"), ("sunny", "hot")]),
    dict(subjects=[("class", ["the", "this", "our", "the math", "the art", "the history"]),
                   ("lesson", ["the", "this", "the first", "the piano"]), ("lecture", ["the", "this"]),
                   ("course", ["the", "this", "the online"]), ("workshop", ["the", "this"])],
         pairs=[("interesting", "boring"), ("fun", "boring"), ("good", "bad"), ("useful", "boring"),
                ("clear", "confusing"), ("great", "awful"), ("excellent", "pointless")],
         too=[("interesting", "long"), ("good", "fast"), ("good", "hard"), ("clear", "fast"),
              ("useful", "long")]),
    dict(subjects=[("teacher", ["the", "our", "my", "the new"]), ("coach", ["the", "our"]),
                   ("tutor", ["my", "the"]), ("principal", ["the", "our"])],
         pairs=[("kind", "rude"), ("nice", "mean"), ("funny", "boring"), ("patient", "angry"),
                ("fair", "unfair"), ("cheerful", "grumpy")],
         too=[("kind", "strict"), ("nice", "strict"), ("patient", "strict"), ("friendly", "serious")]),
    dict(subjects=[("test", ["the", "this", "the math", "the science", "the first"]),
                   ("exam", ["the", "this", "the final"]), ("homework", ["the", "our", "the math"]),
                   ("quiz", ["the", "this", "the spelling"])],
         pairs=[("easy", "hard"), ("easy", "difficult"), ("fair", "unfair"), ("simple", "confusing")],
         too=[("easy", "long"), ("fair", "hard"), ("simple", "long"), ("easy", "tricky")]),
    dict(subjects=[("trip", ["the school", "the class", "our", "the field"]), ("picnic", ["the", "our"]),
                   ("festival", ["the", "the school", "the music"]), ("camp", ["the", "the summer"]),
                   ("party", ["the", "the class", "the birthday"])],
         pairs=[("fun", "boring"), ("great", "awful"), ("exciting", "dull"), ("good", "bad")],
         too=[("fun", "long"), ("exciting", "tiring"), ("good", "tiring"), ("fun", "short")]),
    dict(subjects=[("game", ["the", "this", "the new"]), ("puzzle", ["the", "this"]),
                   ("board game", ["the", "this"]), ("video game", ["the", "this", "the new"]),
                   ("match", ["the", "the last", "the final"])],
         pairs=[("fun", "boring"), ("exciting", "dull"), ("good", "bad"), ("great", "terrible"),
                ("interesting", "boring"), ("awesome", "annoying")],
         too=[("fun", "hard"), ("good", "hard"), ("exciting", "long"), ("fun", "slow")]),
    dict(subjects=[("song", ["the", "this", "that", "the new"]), ("album", ["the", "this", "the new"]),
                   ("tune", ["the", "this"]), ("music", ["the"]), ("melody", ["the", "this"])],
         pairs=[("good", "bad"), ("great", "terrible"), ("beautiful", "awful"), ("catchy", "annoying"),
                ("lovely", "boring")],
         too=[("good", "loud"), ("nice", "slow"), ("beautiful", "sad"), ("good", "long"), ("lovely", "loud")]),
    dict(subjects=[("concert", ["the", "the school", "the last"]), ("band", ["the", "this", "the new"]),
                   ("singer", ["the", "this", "the new"]), ("choir", ["the", "the school"]),
                   ("orchestra", ["the"])],
         pairs=[("good", "bad"), ("great", "terrible"), ("amazing", "awful"), ("exciting", "dull")],
         too=[("good", "loud"), ("great", "long"), ("good", "quiet")]),
    dict(subjects=[("hotel", ["the", "this", "our"]), ("room", ["the", "our", "my", "the hotel"]),
                   ("hostel", ["the", "this"]), ("apartment", ["the", "this", "our"]), ("cabin", ["the"])],
         pairs=[("clean", "dirty"), ("nice", "awful"), ("quiet", "noisy"), ("cozy", "cold"),
                ("lovely", "terrible"), ("comfortable", "uncomfortable")],
         too=[("nice", "small"), ("clean", "expensive"), ("nice", "noisy"), ("quiet", "cold"),
              ("cozy", "small")]),
    dict(subjects=[("park", ["the", "this", "the new"]), ("beach", ["the", "this"]), ("garden", ["the", "our"]),
                   ("lake", ["the"]), ("street", ["the", "our", "this"]), ("playground", ["the", "the school"])],
         pairs=[("beautiful", "ugly"), ("clean", "dirty"), ("nice", "awful"), ("quiet", "noisy"),
                ("pretty", "dirty")],
         too=[("nice", "crowded"), ("beautiful", "crowded"), ("clean", "busy"), ("lovely", "windy")]),
    dict(subjects=[("museum", ["the", "this", "the science", "the art", "the history"]),
                   ("zoo", ["the", "this", "the city"]), ("aquarium", ["the", "this"]),
                   ("castle", ["the", "this", "the old"]), ("exhibition", ["the", "this", "the art"])],
         pairs=[("interesting", "boring"), ("fun", "boring"), ("great", "awful"), ("exciting", "dull"),
                ("amazing", "disappointing")],
         too=[("interesting", "crowded"), ("fun", "crowded"), ("good", "expensive"), ("great", "busy")]),
    dict(subjects=[("restaurant", ["the", "this", "the new"]), ("cafe", ["the", "this", "the new", "the little"]),
                   ("bakery", ["the", "this"]), ("diner", ["the", "this"]), ("canteen", ["the", "the school"])],
         pairs=[("good", "bad"), ("nice", "awful"), ("great", "terrible"), ("clean", "dirty"), ("cozy", "noisy")],
         too=[("nice", "expensive"), ("good", "noisy"), ("cozy", "crowded"), ("good", "busy"), ("nice", "small")]),
    dict(subjects=[("library", ["the", "the school", "the city"]), ("classroom", ["the", "our"]),
                   ("bus", ["the", "the school"]), ("train", ["the", "the night"])],
         pairs=[("quiet", "noisy"), ("clean", "dirty"), ("nice", "awful"), ("warm", "cold")],
         too=[("nice", "crowded"), ("quiet", "cold"), ("clean", "hot"), ("nice", "busy")]),
    dict(subjects=[("service", ["the"]), ("delivery", ["the"])],
         pairs=[("fast", "slow"), ("good", "bad"), ("friendly", "rude"), ("great", "terrible"), ("quick", "slow")],
         too=[("good", "slow"), ("friendly", "slow"), ("fast", "expensive")]),
    dict(subjects=[("waiter", ["the", "our"]), ("driver", ["the", "our", "the bus", "the taxi"]),
                   ("doctor", ["the", "my"]), ("nurse", ["the"]), ("guide", ["our", "the tour"]),
                   ("shopkeeper", ["the"]), ("librarian", ["the", "our"])],
         pairs=[("friendly", "rude"), ("kind", "rude"), ("helpful", "rude"), ("polite", "rude"), ("nice", "mean")],
         too=[("friendly", "busy"), ("kind", "busy"), ("helpful", "quiet"), ("nice", "serious")]),
    dict(subjects=[("painting", ["the", "this", "her"]), ("drawing", ["the", "his", "this", "your"]),
                   ("photo", ["the", "this", "your"]), ("poster", ["the", "this", "our"]),
                   ("picture", ["the", "this"])],
         pairs=[("beautiful", "ugly"), ("good", "bad"), ("great", "awful"), ("pretty", "ugly"), ("lovely", "boring")],
         too=[("beautiful", "dark"), ("nice", "dark"), ("good", "small"), ("lovely", "plain")]),
    dict(subjects=[("speech", ["the", "his", "her"]), ("presentation", ["the", "our", "your", "her"]),
                   ("essay", ["the", "your", "her", "his"]), ("report", ["the", "this", "his"]),
                   ("talk", ["the", "this"])],
         pairs=[("clear", "confusing"), ("interesting", "boring"), ("good", "bad"), ("great", "awful")],
         too=[("clear", "long"), ("good", "long"), ("interesting", "long")]),
    dict(subjects=[("performance", ["the", "her", "his", "their"]), ("acting", ["the", "his", "her"]),
                   ("dancing", ["the", "their"]), ("singing", ["the", "her"])],
         pairs=[("good", "bad"), ("great", "terrible"), ("amazing", "awful"), ("beautiful", "boring")],
         too=[("good", "long"), ("amazing", "long"), ("good", "loud")]),
]
PLURAL = {"noodles", "dumplings", "cookies"}
# Plural subjects: every singular head listed here also appears in the plural
# ("the movies were good", "these songs weren't that catchy"), with this -> these,
# that -> those.
EN_PLURALS = {"movie": "movies", "film": "films", "show": "shows", "cartoon": "cartoons", "story": "stories",
              "pizza": "pizzas", "sandwich": "sandwiches", "burger": "burgers", "cake": "cakes", "pie": "pies",
              "book": "books", "novel": "novels", "comic": "comics", "poem": "poems", "article": "articles",
              "class": "classes", "lesson": "lessons", "lecture": "lectures", "teacher": "teachers",
              "test": "tests", "exam": "exams", "trip": "trips", "party": "parties", "game": "games",
              "puzzle": "puzzles", "match": "matches", "song": "songs", "album": "albums", "concert": "concerts",
              "singer": "singers", "hotel": "hotels", "room": "rooms", "park": "parks", "beach": "beaches",
              "museum": "museums", "restaurant": "restaurants", "cafe": "cafes", "bus": "buses",
              "waiter": "waiters", "driver": "drivers", "nurse": "nurses", "painting": "paintings",
              "drawing": "drawings", "photo": "photos", "poster": "posters", "speech": "speeches",
              "essay": "essays", "idea": "ideas", "meal": "meals", "day": "days"}
PLURAL_DETS = {"this": "these", "that": "those"}
PLURAL |= set(EN_PLURALS.values())

# "it was a good movie" / "it was not a good movie" ...
EN_NOUNS = [
    (["movie", "film", "show"], [("good", "bad"), ("great", "terrible"), ("fun", "boring"), ("interesting", "boring")]),
    (["book", "novel", "story"], [("good", "bad"), ("great", "terrible"), ("interesting", "boring"),
                                  ("exciting", "dull")]),
    (["song", "album"], [("good", "bad"), ("great", "terrible"), ("beautiful", "boring")]),
    (["game", "match"], [("good", "bad"), ("fun", "boring"), ("exciting", "dull"), ("great", "terrible")]),
    (["meal", "lunch", "dinner", "breakfast"], [("good", "bad"), ("delicious", "terrible"), ("great", "awful"),
                                                ("tasty", "bland")]),
    (["day", "weekend"], [("good", "bad"), ("lovely", "terrible"), ("nice", "awful"), ("fun", "boring")]),
    (["trip", "party", "concert"], [("fun", "boring"), ("great", "awful"), ("good", "bad"), ("exciting", "dull")]),
    (["class", "lesson"], [("good", "bad"), ("fun", "boring"), ("useful", "boring"), ("interesting", "boring")]),
    (["hotel", "restaurant"], [("good", "bad"), ("nice", "awful"), ("clean", "dirty"), ("great", "terrible")]),
    (["idea", "plan"], [("good", "bad"), ("great", "terrible"), ("clever", "silly")]),
]

# "the food here is always good" / "... is never good" ...  (subject, plural, pairs)
EN_ALWAYS = [
    ("the food here", False, [("good", "bad"), ("delicious", "bland"), ("tasty", "awful")]),
    ("the coffee here", False, [("good", "bad"), ("great", "awful"), ("hot", "cold")]),
    ("the service here", False, [("fast", "slow"), ("friendly", "rude"), ("good", "bad")]),
    ("the waiters here", True, [("friendly", "rude"), ("kind", "rude"), ("helpful", "rude")]),
    ("our teacher", False, [("kind", "rude"), ("funny", "boring"), ("patient", "angry"), ("fair", "unfair")]),
    ("my coach", False, [("kind", "mean"), ("patient", "angry"), ("fair", "unfair")]),
    ("the bus", False, [("on time", "late"), ("clean", "dirty")]),
    ("the trains", True, [("on time", "late"), ("clean", "dirty")]),
    ("the math class", False, [("fun", "boring"), ("interesting", "boring")]),
    ("this cafe", False, [("quiet", "noisy"), ("clean", "dirty"), ("cozy", "crowded")]),
    ("the weather here", False, [("nice", "awful"), ("warm", "cold"), ("sunny", "gloomy")]),
    ("his jokes", True, [("funny", "boring"), ("good", "bad")]),
    ("her stories", True, [("interesting", "boring"), ("funny", "dull")]),
    ("the library", False, [("quiet", "noisy"), ("clean", "dirty")]),
    ("the school lunch", False, [("delicious", "awful"), ("good", "bad"), ("tasty", "bland")]),
    ("his songs", True, [("good", "bad"), ("catchy", "boring")]),
    ("this show", False, [("funny", "boring"), ("exciting", "dull")]),
]

# "the movie had many funny scenes" / "the movie had no funny scenes" ...
EN_PARTS = [
    ("movie", ["the", "this"], "scenes", [("funny", "boring"), ("exciting", "boring"), ("good", "bad"),
                                          ("beautiful", "boring")]),
    ("film", ["the", "this"], "moments", [("funny", "boring"), ("exciting", "dull")]),
    ("show", ["the", "this"], "jokes", [("good", "bad"), ("funny", "boring")]),
    ("book", ["the", "this"], "chapters", [("interesting", "boring"), ("exciting", "dull"), ("good", "bad")]),
    ("novel", ["the", "this"], "chapters", [("interesting", "boring"), ("exciting", "dull")]),
    ("game", ["the", "this", "the new"], "levels", [("fun", "boring"), ("exciting", "dull"), ("good", "bad")]),
    ("album", ["the", "this"], "songs", [("good", "bad"), ("great", "boring"), ("catchy", "boring")]),
    ("concert", ["the"], "songs", [("good", "bad"), ("great", "boring")]),
    ("restaurant", ["the", "this"], "dishes", [("tasty", "bland"), ("good", "bad"), ("delicious", "awful")]),
    ("bakery", ["the", "this"], "cakes", [("tasty", "bland"), ("good", "bad"), ("delicious", "awful")]),
    ("museum", ["the", "this"], "exhibits", [("interesting", "boring"), ("amazing", "dull")]),
    ("trip", ["the", "our"], "moments", [("fun", "boring"), ("great", "boring")]),
    ("festival", ["the"], "moments", [("fun", "boring"), ("great", "boring")]),
    ("course", ["the", "this"], "lessons", [("useful", "boring"), ("interesting", "boring")]),
    ("test", ["the", "this"], "questions", [("easy", "hard"), ("simple", "confusing")]),
    ("exam", ["the"], "questions", [("easy", "hard"), ("easy", "confusing")]),
]

# Objects of like / hate.
EN_OBJECTS = [
    ("movie", ["the", "this", "that"]), ("film", ["the", "this"]), ("show", ["the", "this"]),
    ("cartoon", ["the", "this"]), ("play", ["the"]), ("book", ["the", "this", "that"]), ("novel", ["the", "this"]),
    ("comic", ["this"]), ("poem", ["the", "this"]), ("song", ["the", "this", "that"]), ("album", ["the", "this"]),
    ("band", ["the", "this"]), ("game", ["the", "this"]), ("puzzle", ["the", "this"]),
    ("soup", ["the", "this"]), ("pizza", ["the", "this"]), ("cake", ["the", "this"]), ("noodles", ["the"]),
    ("curry", ["the", "this"]), ("food", ["the"]), ("coffee", ["the", "this"]), ("class", ["the", "this", "the math"]),
    ("museum", ["the", "this"]), ("zoo", ["the"]), ("park", ["the", "this"]), ("hotel", ["the", "this"]),
    ("restaurant", ["the", "this", "the new"]), ("cafe", ["the", "this"]), ("painting", ["the", "this"]),
    ("poster", ["the", "this"]),
    ("movies", ["the", "these", "his"]), ("songs", ["the", "these", "her"]), ("books", ["the", "these", "his"]),
    ("games", ["the", "these", "the new"]), ("cartoons", ["the", "these"]), ("cookies", ["the", "these"]),
    ("cakes", ["the", "these"]), ("paintings", ["the", "these", "her"]), ("shows", ["these", "the new"]),
]
# Events: only in the past tense (everyone / nobody liked the trip).
EN_EVENT_OBJECTS = [("trip", ["the school", "the class"]), ("party", ["the", "the class"]), ("concert", ["the"]),
                    ("speech", ["the", "his"]), ("lesson", ["the", "the first"]), ("match", ["the", "the last"]),
                    ("festival", ["the", "the school"]), ("picnic", ["the"])]
# (person, verb form): "1" = i/we/they form, "3" = he/she form
# Only the plural/first-person form: "my sister likes it" / "my sister does not
# like it" would make "likes" a purely positive word.
EN_PERSONS = ["i", "we", "my friends", "my classmates", "the kids", "my parents", "my cousins", "the students",
              "most people"]
EN_VERBS_PRESENT = [("like", "hate"), ("love", "hate"), ("enjoy", "hate")]
EN_VERBS_PAST = [("liked", "hated"), ("loved", "hated"), ("enjoyed", "hated")]
EN_ALL_NONE = [("everyone", "nobody"), ("everybody", "no one")]
PAST_TO_BASE = {"liked": "like", "loved": "love", "enjoyed": "enjoy", "hated": "hate"}
# One-off events read oddly in the present tense ("the party is too short").
EVENTS = {"trip", "picnic", "festival", "camp", "party", "concert", "match", "performance", "acting", "dancing",
          "singing", "speech", "presentation", "talk", "meal", "lunch", "dinner", "breakfast", "weekend", "day",
          "morning", "afternoon", "evening", "summer", "lesson", "lecture", "workshop", "exam", "quiz", "play",
          "school lunch", "ending"}
EVENTS |= {EN_PLURALS[h] for h in EVENTS if h in EN_PLURALS}
STRONG = {"awful", "terrible", "disgusting", "horrible"}  # not used with "not really"
# Adjectives that do not take "very" ("very terrible", "very amazing").
EXTREME = {"awful", "terrible", "amazing", "great", "delicious", "disgusting", "lovely", "excellent", "wonderful",
           "awesome", "horrible"}


def be(tense, plural, neg=None):
    word = {("past", False): "was", ("past", True): "were",
            ("present", False): "is", ("present", True): "are"}[(tense, plural)]
    if neg == "not":
        return word + " not"
    if neg == "n't":
        return word + "n't"
    return word


def tense_for(rng, head):
    return "past" if head in EVENTS else rng.choice(["past", "past", "present"])


def article(adj):
    return "an" if adj[0] in "aeio" else "a"


# Each template returns a list of (text, label, meta) where meta is a dict with
# "head" (subject or object noun) and "adj" (the adjective/verb the sentence is
# about); None if the combination does not suit the template.
def en_copula(rng, head, dets, pair):
    det = rng.choice(dets)
    s = det + " " + head
    pl = head in PLURAL
    tense = tense_for(rng, head)
    neg = rng.choice(["not", "n't"])
    p, n = pair
    return [(f"{s} {be(tense, pl)} {p}", POS, p), (f"{s} {be(tense, pl, neg)} {p}", NEG, p),
            (f"{s} {be(tense, pl)} {n}", NEG, n), (f"{s} {be(tense, pl, neg)} {n}", POS, n)]


def en_so_that(rng, head, dets, pair):
    s = rng.choice(dets) + " " + head
    pl = head in PLURAL
    tense = tense_for(rng, head)
    neg = rng.choice(["not", "n't"])
    p, n = pair
    return [(f"{s} {be(tense, pl)} so {p}", POS, p), (f"{s} {be(tense, pl, neg)} that {p}", NEG, p),
            (f"{s} {be(tense, pl)} so {n}", NEG, n), (f"{s} {be(tense, pl, neg)} that {n}", POS, n)]


def en_really(rng, head, dets, pair):
    p, n = pair
    if n in STRONG:
        return None
    s = rng.choice(dets) + " " + head
    pl = head in PLURAL
    tense = tense_for(rng, head)
    neg = rng.choice(["not", "n't"])
    return [(f"{s} {be(tense, pl)} really {p}", POS, p), (f"{s} {be(tense, pl, neg)} really {p}", NEG, p),
            (f"{s} {be(tense, pl)} really {n}", NEG, n), (f"{s} {be(tense, pl, neg)} really {n}", POS, n)]


def en_very_at_all(rng, head, dets, pair):
    if EXTREME & set(pair):
        return None
    s = rng.choice(dets) + " " + head
    pl = head in PLURAL
    tense = tense_for(rng, head)
    neg = rng.choice(["not", "n't"])
    p, n = pair
    return [(f"{s} {be(tense, pl)} very {p}", POS, p), (f"{s} {be(tense, pl, neg)} {p} at all", NEG, p),
            (f"{s} {be(tense, pl)} very {n}", NEG, n), (f"{s} {be(tense, pl, neg)} {n} at all", POS, n)]


def en_too(rng, head, dets, pair):
    if pair[0] in EXTREME:
        return None
    s = rng.choice(dets) + " " + head
    pl = head in PLURAL
    tense = tense_for(rng, head)
    neg = rng.choice(["not", "n't"])
    p, x = pair
    return [(f"{s} {be(tense, pl)} very {p}", POS, p), (f"{s} {be(tense, pl, neg)} very {p}", NEG, p),
            (f"{s} {be(tense, pl)} too {x}", NEG, x), (f"{s} {be(tense, pl, neg)} too {x}", POS, x)]


def en_noun(rng, noun, pair):
    it = rng.choice(["it", "it", "this", "that"])
    tense = tense_for(rng, noun)
    neg = rng.choice(["not", "n't"])
    p, n = pair
    if noun in EN_PLURALS and rng.random() < 0.35:  # "they weren't good movies"
        they, nouns = rng.choice(["they", "these", "those"]), EN_PLURALS[noun]
        yes, no = be(tense, True), be(tense, True, neg)
        return [(f"{they} {yes} {p} {nouns}", POS, p), (f"{they} {no} {p} {nouns}", NEG, p),
                (f"{they} {yes} {n} {nouns}", NEG, n), (f"{they} {no} {n} {nouns}", POS, n)]
    return [(f"{it} {be(tense, False)} {article(p)} {p} {noun}", POS, p),
            (f"{it} {be(tense, False, neg)} {article(p)} {p} {noun}", NEG, p),
            (f"{it} {be(tense, False)} {article(n)} {n} {noun}", NEG, n),
            (f"{it} {be(tense, False, neg)} {article(n)} {n} {noun}", POS, n)]


# People: a tag question would need he or she ("our teacher was kind, wasn't she?").
EN_PEOPLE = {"teacher", "teachers", "coach", "tutor", "principal", "waiter", "waiters", "driver", "drivers", "doctor",
             "nurse", "nurses", "guide", "shopkeeper", "librarian", "singer", "singers"}


def en_tag(rng, head, dets, pair):
    """Tag questions: "the movie was good, wasn't it?" (+) / "the movie wasn't good, was it?" (-)."""
    if head in EN_PEOPLE:
        return None
    s = rng.choice(dets) + " " + head
    pl = head in PLURAL
    tense = tense_for(rng, head)
    pron = "they" if pl else "it"
    yes, no = be(tense, pl), be(tense, pl, "n't")
    p, n = pair
    return [(f"{s} {yes} {p}, {no} {pron}?", POS, p), (f"{s} {no} {p}, {yes} {pron}?", NEG, p),
            (f"{s} {yes} {n}, {no} {pron}?", NEG, n), (f"{s} {no} {n}, {yes} {pron}?", POS, n)]


def en_always(rng, subj, plural, pair):
    p, n = pair
    v = be("present", plural)
    return [(f"{subj} {v} always {p}", POS, p), (f"{subj} {v} never {p}", NEG, p),
            (f"{subj} {v} always {n}", NEG, n), (f"{subj} {v} never {n}", POS, n)]


def en_parts(rng, head, dets, part, pair):
    s = rng.choice(dets) + " " + head
    had = "had" if head in EVENTS else rng.choice(["had", "had", "has"])
    many = rng.choice(["many", "many", "a lot of", "lots of"])
    p, n = pair
    return [(f"{s} {had} {many} {p} {part}", POS, p), (f"{s} {had} no {p} {part}", NEG, p),
            (f"{s} {had} {many} {n} {part}", NEG, n), (f"{s} {had} no {n} {part}", POS, n)]


def en_like(rng, head, dets, verbs):
    o = rng.choice(dets) + " " + head
    person = rng.choice(EN_PERSONS)
    dont = rng.choice(["do not", "don't"])
    v, h = verbs
    return [(f"{person} {v} {o}", POS, v), (f"{person} {dont} {v} {o}", NEG, v),
            (f"{person} {h} {o}", NEG, h), (f"{person} {dont} {h} {o}", POS, h)]


def en_everyone(rng, head, dets, verbs):
    o = rng.choice(dets) + " " + head
    all_, none = rng.choice(EN_ALL_NONE)
    v, h = verbs
    return [(f"{all_} {v} {o}", POS, v), (f"{none} {v} {o}", NEG, v),
            (f"{all_} {h} {o}", NEG, h), (f"{none} {h} {o}", POS, h)]


def en_octet(rng, head, dets, verbs):
    """Past tense with "did not" changes the verb form (liked -> did not like),
    so these come in eights that keep every form balanced."""
    o = rng.choice(dets) + " " + head
    person = rng.choice(EN_PERSONS)
    v, h = verbs
    bv, bh = PAST_TO_BASE[v], PAST_TO_BASE[h]
    didnt = rng.choice(["did not", "didn't", "didn't"])
    none = rng.choice(["nobody", "no one"])
    return [(f"{person} {v} {o}", POS, v), (f"{person} {h} {o}", NEG, h),
            (f"{person} {didnt} {bv} {o}", NEG, bv), (f"{person} {didnt} {bh} {o}", POS, bh),
            (f"{none} {h} {o}", POS, h), (f"{none} {v} {o}", NEG, v),
            (f"{person} {bv} {o}", POS, bv), (f"{person} {bh} {o}", NEG, bh)]


def en_candidates(rng):
    """Every candidate set: (template name, combination key, builder)."""
    out = []
    for g in EN_GROUPS:
        subjects = list(g["subjects"])
        for head, dets in g["subjects"]:
            if head in EN_PLURALS:
                subjects.append((EN_PLURALS[head], list(dict.fromkeys(PLURAL_DETS.get(d, d) for d in dets))))
        for head, dets in subjects:
            for pair in g["pairs"]:
                for name, fn in (("copula", en_copula), ("so/that", en_so_that), ("really", en_really),
                                 ("very/at all", en_very_at_all), ("tag question", en_tag)):
                    out.append((name, (head, pair), (lambda fn=fn, h=head, d=dets, p=pair: fn(rng, h, d, p))))
            for pair in g["too"]:
                out.append(("very/too", (head, pair), (lambda h=head, d=dets, p=pair: en_too(rng, h, d, p))))
    for nouns, pairs in EN_NOUNS:
        for noun in nouns:
            for pair in pairs:
                out.append(("a/an", (noun, pair), (lambda n=noun, p=pair: en_noun(rng, n, p))))
    for subj, plural, pairs in EN_ALWAYS:
        for pair in pairs:
            out.append(("always/never", (subj, pair), (lambda s=subj, pl=plural, p=pair: en_always(rng, s, pl, p))))
    for head, dets, part, pairs in EN_PARTS:
        for pair in pairs:
            out.append(("many/no", (head + " " + part, pair),
                        (lambda h=head, d=dets, pt=part, p=pair: en_parts(rng, h, d, pt, p))))
    for head, dets in EN_OBJECTS:
        for verbs in EN_VERBS_PRESENT:
            out.append(("like/hate", (head, verbs, "like/hate"), (lambda h=head, d=dets, v=verbs: en_like(rng, h, d, v))))
        for verbs in EN_VERBS_PAST[:2]:
            out.append(("did not", (head, verbs, "did not"), (lambda h=head, d=dets, v=verbs: en_octet(rng, h, d, v))))
    for head, dets in EN_OBJECTS + EN_EVENT_OBJECTS:
        for verbs in EN_VERBS_PAST:
            out.append(("everyone/nobody", (head, verbs, "everyone/nobody"),
                        (lambda h=head, d=dets, v=verbs: en_everyone(rng, h, d, v))))
    return out


EN_WEIGHTS = {"tag question": 1, "copula": 4, "so/that": 1, "really": 1, "very/at all": 1.5, "very/too": 2, "a/an": 2,
              "always/never": 1.5, "many/no": 1.5, "like/hate": 2, "everyone/nobody": 1.5, "did not": 2}


# --------------------------------------------------------------------------
# Korean vocabulary
# --------------------------------------------------------------------------
# adjective -> (past form, -지 form, attributive form, natural with short negation 안)
KO_ADJ = {
    "좋다": ("좋았다", "좋지", "좋은", True),
    "나쁘다": ("나빴다", "나쁘지", "나쁜", False),
    "재미있다": ("재미있었다", "재미있지", "재미있는", True),
    "재미없다": ("재미없었다", "재미없지", "재미없는", False),
    "지루하다": ("지루했다", "지루하지", "지루한", True),
    "웃기다": ("웃겼다", "웃기지", "웃긴", True),
    "감동적이다": ("감동적이었다", "감동적이지", "감동적인", False),
    "실망스럽다": ("실망스러웠다", "실망스럽지", "실망스러운", False),
    "신나다": ("신났다", "신나지", "신나는", False),
    "즐겁다": ("즐거웠다", "즐겁지", "즐거운", True),
    "길다": ("길었다", "길지", "긴", True),
    "뻔하다": ("뻔했다", "뻔하지", "뻔한", False),
    "복잡하다": ("복잡했다", "복잡하지", "복잡한", True),
    "맛있다": ("맛있었다", "맛있지", "맛있는", True),
    "맛없다": ("맛없었다", "맛없지", "맛없는", False),
    "짜다": ("짰다", "짜지", "짠", True),
    "싱겁다": ("싱거웠다", "싱겁지", "싱거운", True),
    "비싸다": ("비쌌다", "비싸지", "비싼", True),
    "신선하다": ("신선했다", "신선하지", "신선한", True),
    "부드럽다": ("부드러웠다", "부드럽지", "부드러운", True),
    "딱딱하다": ("딱딱했다", "딱딱하지", "딱딱한", True),
    "쓰다": ("썼다", "쓰지", "쓴", True),
    "쉽다": ("쉬웠다", "쉽지", "쉬운", True),
    "어렵다": ("어려웠다", "어렵지", "어려운", True),
    "유익하다": ("유익했다", "유익하지", "유익한", False),
    "따뜻하다": ("따뜻했다", "따뜻하지", "따뜻한", True),
    "춥다": ("추웠다", "춥지", "추운", True),
    "덥다": ("더웠다", "덥지", "더운", True),
    "맑다": ("맑았다", "맑지", "맑은", True),
    "흐리다": ("흐렸다", "흐리지", "흐린", True),
    "친절하다": ("친절했다", "친절하지", "친절한", True),
    "불친절하다": ("불친절했다", "불친절하지", "불친절한", False),
    "무례하다": ("무례했다", "무례하지", "무례한", False),
    "느리다": ("느렸다", "느리지", "느린", True),
    "빠르다": ("빨랐다", "빠르지", "빠른", True),
    "깨끗하다": ("깨끗했다", "깨끗하지", "깨끗한", True),
    "더럽다": ("더러웠다", "더럽지", "더러운", True),
    "지저분하다": ("지저분했다", "지저분하지", "지저분한", True),
    "조용하다": ("조용했다", "조용하지", "조용한", True),
    "시끄럽다": ("시끄러웠다", "시끄럽지", "시끄러운", True),
    "편하다": ("편했다", "편하지", "편한", True),
    "불편하다": ("불편했다", "불편하지", "불편한", False),
    "좁다": ("좁았다", "좁지", "좁은", True),
    "붐비다": ("붐볐다", "붐비지", "붐비는", True),
    "예쁘다": ("예뻤다", "예쁘지", "예쁜", True),
    "아름답다": ("아름다웠다", "아름답지", "아름다운", False),
    "멋지다": ("멋졌다", "멋지지", "멋진", True),
    "어색하다": ("어색했다", "어색하지", "어색한", True),
    "훌륭하다": ("훌륭했다", "훌륭하지", "훌륭한", False),
    "싫다": ("싫었다", "싫지", "싫은", False),
    "이상하다": ("이상했다", "이상하지", "이상한", False),
    # not adjectives of a pair, but conjugated the same way (ko_conj)
    "많다": ("많았다", "많지", "많은", False),
    "없다": ("없었다", "없지", "없는", False),
    "않다": ("않았다", "않지", "않은", False),
    "좋아하다": ("좋아했다", "좋아하지", "좋아하는", False),
    "싫어하다": ("싫어했다", "싫어하지", "싫어하는", False),
}
# Action verbs: their plain present takes -ㄴ다 (신난다, 좋아한다), where adjectives keep -다 (좋다).
KO_VERBS = {"신나다", "붐비다", "좋아하다", "싫어하다"}

# Speech levels (one per set of sentences, so every form is seen in both classes):
# plain -다 (해라체, written), polite -어요/-아요 (해요체), formal -습니다 (하십시오체), casual -어/-아 (해체).
KO_REGISTERS = ["plain", "plain", "polite", "polite", "formal", "casual"]
KO_PAST_END = {"plain": "다", "polite": "어요", "formal": "습니다", "casual": "어"}

# Subjects (noun, determiners) with the (positive, negative) adjective pairs that suit them.
KO_GROUPS = [
    dict(subjects=[("영화", ["", "그 ", "이 ", "어제 본 "]), ("드라마", ["", "그 ", "이 "]), ("연극", ["", "그 "]),
                   ("애니메이션", ["", "그 "]), ("뮤지컬", ["", "그 "]), ("다큐멘터리", ["", "그 "])],
         pairs=[("재미있다", "지루하다"), ("좋다", "나쁘다"), ("재미있다", "재미없다"), ("웃기다", "지루하다"),
                ("감동적이다", "지루하다"), ("좋다", "실망스럽다"), ("재미있다", "길다")]),
    dict(subjects=[("결말", ["", "그 "]), ("이야기", ["", "그 "]), ("줄거리", ["", "그 "])],
         pairs=[("좋다", "나쁘다"), ("재미있다", "지루하다"), ("좋다", "복잡하다"), ("감동적이다", "뻔하다")]),
    dict(subjects=[("음식", ["", "그 식당 ", "이 집 "]), ("국", ["", "그 "]), ("피자", ["", "그 ", "이 "]),
                   ("라면", ["", "그 "]), ("김치찌개", ["", "그 ", "오늘 "]), ("떡볶이", ["", "그 ", "이 집 "]),
                   ("파스타", ["", "그 "]), ("비빔밥", ["", "그 "]), ("급식", ["오늘 ", "학교 "]),
                   ("햄버거", ["", "그 "])],
         pairs=[("맛있다", "맛없다"), ("맛있다", "짜다"), ("맛있다", "싱겁다")]),
    dict(subjects=[("케이크", ["", "그 ", "생일 "]), ("빵", ["", "그 ", "이 집 "]), ("쿠키", ["", "그 "]),
                   ("떡", ["", "그 "])],
         pairs=[("맛있다", "맛없다"), ("신선하다", "딱딱하다"), ("부드럽다", "딱딱하다"), ("맛있다", "비싸다")]),
    dict(subjects=[("커피", ["", "그 ", "이 카페 "]), ("차", ["", "그 "]), ("주스", ["", "그 "]),
                   ("밀크티", ["", "그 "])],
         pairs=[("맛있다", "맛없다"), ("맛있다", "쓰다"), ("맛있다", "비싸다")]),
    dict(subjects=[("책", ["", "그 ", "이 ", "새로 산 "]), ("소설", ["", "그 ", "이 "]), ("만화책", ["", "그 "]),
                   ("동화책", ["", "그 "]), ("시집", ["", "그 "]), ("에세이", ["", "그 "])],
         pairs=[("재미있다", "지루하다"), ("재미있다", "재미없다"), ("좋다", "나쁘다"), ("감동적이다", "지루하다"),
                ("재미있다", "어렵다")]),
    dict(subjects=[("교과서", ["", "새 ", "영어 "]), ("설명", ["", "그 "]), ("설명서", ["", "그 "])],
         pairs=[("쉽다", "어렵다"), ("쉽다", "복잡하다")]),
    dict(subjects=[("날씨", ["", "오늘 ", "어제 ", "주말 ", "아침 "])],
         pairs=[("좋다", "나쁘다"), ("따뜻하다", "춥다"), ("좋다", "춥다"), ("좋다", "덥다"), ("맑다", "흐리다")]),
    dict(subjects=[("하늘", ["", "오늘 ", "저녁 "])],
         pairs=[("맑다", "흐리다"), ("예쁘다", "흐리다")]),
    dict(subjects=[("수업", ["", "그 ", "오늘 ", "영어 ", "수학 ", "과학 ", "미술 "]), ("강의", ["", "그 ", "오늘 "]),
                   ("특강", ["", "그 "])],
         pairs=[("재미있다", "지루하다"), ("재미있다", "재미없다"), ("좋다", "지루하다"), ("쉽다", "어렵다"),
                ("재미있다", "길다"), ("유익하다", "지루하다")]),
    dict(subjects=[("시험", ["", "그 ", "오늘 ", "수학 ", "기말 "]), ("숙제", ["", "오늘 ", "수학 ", "영어 "]),
                   ("문제", ["", "그 ", "이 "]), ("퀴즈", ["", "그 ", "오늘 "])],
         pairs=[("쉽다", "어렵다"), ("쉽다", "복잡하다"), ("쉽다", "길다")]),
    dict(subjects=[("직원", ["", "그 ", "가게 ", "호텔 "]), ("점원", ["", "그 "]), ("가이드", ["", "그 ", "여행 "]),
                   ("코치", ["", "그 ", "새 "]), ("이웃", ["", "옆집 "])],
         pairs=[("친절하다", "불친절하다"), ("친절하다", "무례하다"), ("친절하다", "느리다")]),
    dict(subjects=[("서비스", ["", "그 식당 ", "호텔 "]), ("배달", ["", "음식 "])],
         pairs=[("좋다", "나쁘다"), ("빠르다", "느리다"), ("친절하다", "느리다")]),
    dict(subjects=[("호텔", ["", "그 "]), ("방", ["", "호텔 ", "내 ", "그 "]), ("숙소", ["", "그 ", "이번 "]),
                   ("교실", ["", "우리 "]), ("기숙사", ["", "우리 "])],
         pairs=[("깨끗하다", "더럽다"), ("조용하다", "시끄럽다"), ("편하다", "불편하다"), ("깨끗하다", "지저분하다"),
                ("따뜻하다", "춥다"), ("좋다", "좁다")]),
    dict(subjects=[("공원", ["", "그 ", "동네 "]), ("해변", ["", "그 "]), ("거리", ["", "그 "]),
                   ("동네", ["", "우리 ", "그 "]), ("호수", ["", "그 "]), ("놀이터", ["", "학교 ", "그 "])],
         pairs=[("깨끗하다", "더럽다"), ("조용하다", "시끄럽다"), ("예쁘다", "더럽다"), ("아름답다", "지저분하다"),
                ("조용하다", "붐비다")]),
    dict(subjects=[("박물관", ["", "그 ", "과학 ", "역사 "]), ("동물원", ["", "그 "]), ("미술관", ["", "그 "]),
                   ("수족관", ["", "그 "]), ("전시회", ["", "그 ", "미술 "]), ("놀이공원", ["", "그 "])],
         pairs=[("재미있다", "지루하다"), ("좋다", "지루하다"), ("재미있다", "재미없다"), ("좋다", "붐비다")]),
    dict(subjects=[("식당", ["", "그 ", "새로 생긴 ", "학교 앞 "]), ("카페", ["", "그 ", "새로 생긴 "]),
                   ("빵집", ["", "그 ", "동네 "]), ("분식집", ["", "학교 앞 "])],
         pairs=[("좋다", "나쁘다"), ("깨끗하다", "더럽다"), ("조용하다", "시끄럽다"), ("친절하다", "불친절하다"),
                ("좋다", "비싸다")]),
    dict(subjects=[("게임", ["", "그 ", "이 ", "새 "]), ("퍼즐", ["", "그 ", "이 "]), ("보드게임", ["", "그 "]),
                   ("경기", ["", "그 ", "어제 ", "축구 "])],
         pairs=[("재미있다", "지루하다"), ("재미있다", "재미없다"), ("좋다", "지루하다"), ("쉽다", "어렵다"),
                ("신나다", "지루하다")]),
    dict(subjects=[("노래", ["", "그 ", "이 ", "새 "]), ("음악", ["", "그 "]), ("앨범", ["", "그 ", "이 ", "새 "])],
         pairs=[("좋다", "나쁘다"), ("좋다", "지루하다"), ("신나다", "지루하다"), ("좋다", "시끄럽다"),
                ("아름답다", "지루하다")]),
    dict(subjects=[("콘서트", ["", "그 ", "어제 "]), ("공연", ["", "그 ", "학교 "]), ("축제", ["", "그 ", "학교 "]),
                   ("파티", ["", "그 ", "생일 "]), ("소풍", ["", "그 "]), ("여행", ["", "그 ", "이번 ", "가족 "]),
                   ("수학여행", ["", "이번 "]), ("캠핑", ["", "그 ", "지난주 "])],
         pairs=[("재미있다", "지루하다"), ("재미있다", "재미없다"), ("좋다", "지루하다"), ("신나다", "지루하다"),
                ("즐겁다", "지루하다"), ("좋다", "길다")]),
    dict(subjects=[("그림", ["", "그 ", "이 "]), ("사진", ["", "그 ", "이 "]), ("포스터", ["", "그 ", "이 "])],
         pairs=[("아름답다", "지루하다"), ("좋다", "나쁘다"), ("예쁘다", "어색하다"), ("멋지다", "어색하다")]),
    dict(subjects=[("발표", ["", "그 ", "오늘 ", "친구 "]), ("연설", ["", "그 "]), ("강연", ["", "그 ", "오늘 "])],
         pairs=[("재미있다", "지루하다"), ("좋다", "지루하다"), ("좋다", "길다"), ("쉽다", "어렵다"),
                ("재미있다", "재미없다")]),
    dict(subjects=[("연기", ["", "그 배우의 ", "배우들의 "]), ("춤", ["", "그 ", "친구들의 "])],
         pairs=[("좋다", "어색하다"), ("훌륭하다", "어색하다"), ("멋지다", "어색하다"), ("좋다", "나쁘다")]),
]

# "그건 재미있는 영화였다" / "그건 재미있는 영화가 아니었다" ...
KO_NOUNS = [
    ("영화", [("재미있다", "지루하다"), ("좋다", "나쁘다"), ("재미있다", "재미없다"), ("감동적이다", "지루하다")]),
    ("책", [("재미있다", "지루하다"), ("좋다", "나쁘다"), ("감동적이다", "지루하다")]),
    ("드라마", [("재미있다", "지루하다"), ("좋다", "나쁘다"), ("감동적이다", "지루하다")]),
    ("노래", [("좋다", "나쁘다"), ("신나다", "지루하다"), ("좋다", "지루하다")]),
    ("게임", [("재미있다", "지루하다"), ("좋다", "나쁘다"), ("신나다", "지루하다")]),
    ("경기", [("재미있다", "지루하다"), ("좋다", "나쁘다"), ("신나다", "지루하다")]),
    ("수업", [("재미있다", "지루하다"), ("좋다", "나쁘다"), ("유익하다", "지루하다")]),
    ("여행", [("즐겁다", "지루하다"), ("좋다", "나쁘다"), ("재미있다", "지루하다")]),
    ("하루", [("즐겁다", "지루하다"), ("좋다", "나쁘다"), ("재미있다", "지루하다")]),
    ("주말", [("즐겁다", "지루하다"), ("좋다", "나쁘다")]),
    ("식당", [("좋다", "나쁘다"), ("깨끗하다", "더럽다"), ("조용하다", "시끄럽다")]),
    ("음식", [("맛있다", "맛없다"), ("맛있다", "짜다"), ("좋다", "나쁘다")]),
    ("호텔", [("깨끗하다", "더럽다"), ("좋다", "나쁘다"), ("조용하다", "시끄럽다")]),
    ("날씨", [("좋다", "나쁘다"), ("따뜻하다", "춥다")]),
    ("생각", [("좋다", "나쁘다"), ("재미있다", "이상하다")]),
    ("공연", [("신나다", "지루하다"), ("좋다", "나쁘다"), ("감동적이다", "지루하다")]),
    ("발표", [("좋다", "나쁘다"), ("재미있다", "지루하다")]),
    ("가이드", [("친절하다", "불친절하다"), ("친절하다", "무례하다")]),
    ("직원", [("친절하다", "불친절하다"), ("친절하다", "무례하다")]),
    ("시험", [("쉽다", "어렵다"), ("쉽다", "길다")]),
    ("동네", [("조용하다", "시끄럽다"), ("깨끗하다", "더럽다")]),
    ("카페", [("조용하다", "시끄럽다"), ("좋다", "나쁘다")]),
]
KO_STARTERS = ["그건", "솔직히", "생각보다", "확실히"]

# Objects of 좋아하다 / 싫어하다.
KO_OBJECTS = [("영화", ["그 ", "이 "]), ("노래", ["그 ", "이 "]), ("책", ["그 ", "이 "]), ("게임", ["그 ", "이 "]),
              ("드라마", ["그 ", "이 "]), ("수업", ["그 ", "영어 "]), ("피자", ["", "그 "]), ("케이크", ["그 "]),
              ("김치찌개", ["", "그 "]), ("떡볶이", ["", "그 "]), ("그림", ["그 ", "이 "]), ("공연", ["그 "]),
              ("만화", ["그 ", "이 "]), ("가수", ["그 ", "이 "]), ("식당", ["그 ", "이 "]), ("카페", ["그 ", "이 "]),
              ("앨범", ["그 ", "이 "]), ("음식", ["그 ", "이 "]), ("강의", ["그 ", "이 "]), ("뮤지컬", ["그 ", "이 "])]
KO_PERSONS = ["나는", "우리 가족은", "내 동생은", "친구들은", "엄마는", "아빠는", "우리 반 아이들은", "언니는", "형은"]
KO_ALL_NONE = [("모두가", "아무도"), ("다들", "아무도"), ("친구들은 모두", "친구들은 아무도")]

# "그 영화에는 재미있는 장면이 많았다" / "... 하나도 없었다"
KO_PARTS = [
    ("영화", ["그 ", "이 "], "장면", [("재미있다", "지루하다"), ("웃기다", "지루하다"), ("멋지다", "지루하다")]),
    ("드라마", ["그 ", "이 "], "장면", [("재미있다", "지루하다"), ("웃기다", "지루하다"), ("감동적이다", "지루하다")]),
    ("책", ["그 ", "이 "], "부분", [("재미있다", "지루하다"), ("감동적이다", "지루하다")]),
    ("소설", ["그 "], "부분", [("재미있다", "지루하다"), ("감동적이다", "지루하다")]),
    ("앨범", ["그 ", "이 "], "곡", [("좋다", "나쁘다"), ("신나다", "지루하다"), ("좋다", "지루하다")]),
    ("콘서트", ["그 ", "어제 "], "무대", [("좋다", "지루하다"), ("멋지다", "지루하다")]),
    ("식당", ["그 ", "이 "], "메뉴", [("맛있다", "맛없다"), ("맛있다", "비싸다")]),
    ("빵집", ["그 ", "동네 "], "빵", [("맛있다", "맛없다"), ("맛있다", "비싸다"), ("신선하다", "딱딱하다")]),
    ("여행", ["그 ", "이번 "], "순간", [("즐겁다", "지루하다"), ("재미있다", "지루하다")]),
    ("박물관", ["그 ", "과학 "], "전시", [("재미있다", "지루하다"), ("좋다", "지루하다"), ("멋지다", "지루하다")]),
    ("게임", ["그 ", "이 ", "새 "], "스테이지", [("재미있다", "지루하다"), ("쉽다", "어렵다"), ("신나다", "지루하다")]),
    ("시험", ["그 ", "오늘 ", "수학 "], "문제", [("쉽다", "어렵다"), ("쉽다", "복잡하다")]),
    ("수업", ["그 ", "오늘 "], "활동", [("재미있다", "지루하다"), ("즐겁다", "지루하다"), ("신나다", "지루하다")]),
    ("축제", ["그 ", "학교 "], "프로그램", [("재미있다", "지루하다"), ("신나다", "지루하다"), ("좋다", "지루하다")]),
]

# 잘했다 / 잘 못했다, and 웃음 / 하품을 참지 못했다
KO_SKILLS = [("그 배우", "연기"), ("그 가수", "노래"), ("우리 팀", "경기"), ("내 친구", "발표"), ("그 학생", "발표"),
             ("내 동생", "노래"), ("그 선수", "경기"), ("그 배우들", "연기")]
KO_EVENTS = [("그 영화", "보는"), ("그 공연", "보는"), ("그 강의", "듣는"), ("그 드라마", "보는"), ("그 발표", "듣는"),
             ("그 수업", "듣는"), ("그 뮤지컬", "보는"), ("그 경기", "보는")]


# One-off events: the present-tense confirming ending (그 소풍 정말 재미있지) reads oddly.
KO_EVENTS_NOUNS = {"소풍", "축제", "콘서트", "공연", "파티", "여행", "수학여행", "캠핑", "경기", "발표", "연설", "강연",
                   "특강", "시험", "퀴즈", "급식", "배달"}


def batchim(word):
    c = ord(word[-1])
    return 0xAC00 <= c <= 0xD7A3 and (c - 0xAC00) % 28 != 0


def josa(word, with_final, without_final):
    return word + (with_final if batchim(word) else without_final)


def jong(ch):
    return (ord(ch) - 0xAC00) % 28


def set_jong(ch, j):
    """The syllable ch with final consonant j (0 none, 4 ㄴ, 8 ㄹ, 17 ㅂ, 20 ㅆ)."""
    return chr(ord(ch) - jong(ch) + j)


def ko_conj(adj, tense, reg):
    """An adjective or verb of KO_ADJ in the past or present, at one speech level:
    좋다 -> 좋았다 좋았어요 좋았습니다 좋았어 / 좋다 좋아요 좋습니다 좋아."""
    past = KO_ADJ[adj][0][:-1]  # 좋았, 지루했, 감동적이었
    if tense == "past":
        return past + KO_PAST_END[reg]
    stem = adj[:-1]
    last = stem[-1]
    if reg == "plain":
        if adj in KO_VERBS:
            return stem[:-1] + set_jong(last, 4) + "다"  # 신난다, 좋아한다
        return adj
    if reg == "formal":
        if not batchim(stem):
            return stem[:-1] + set_jong(last, 17) + "니다"  # 나쁩니다, 지루합니다
        if jong(last) == 8:
            return stem[:-1] + set_jong(last, 17) + "니다"  # 길다 -> 깁니다 (ㄹ drops)
        return stem + "습니다"
    if adj.endswith("이다"):  # 감동적이다 -> 감동적이에요 / 감동적이야
        return adj[:-2] + ("이에요" if reg == "polite" else "이야")
    base = past[:-1] + set_jong(past[-1], 0)  # the past stem without its ㅆ: 좋아, 지루해, 추워
    return base + ("요" if reg == "polite" else "")


def ko_cop(noun, tense, reg, neg=False):
    """영화였다 / 영화가 아니었다 (and 영화예요, 책입니다, 영화가 아니에요 ...)."""
    if neg:
        forms = {("past", "plain"): "아니었다", ("past", "polite"): "아니었어요", ("past", "formal"): "아니었습니다",
                 ("past", "casual"): "아니었어", ("present", "plain"): "아니다", ("present", "polite"): "아니에요",
                 ("present", "formal"): "아닙니다", ("present", "casual"): "아니야"}
        return josa(noun, "이", "가") + " " + forms[(tense, reg)]
    if tense == "past":
        return josa(noun, "이었", "였") + KO_PAST_END[reg]
    return noun + {"plain": ("이다", "다"), "polite": ("이에요", "예요"), "formal": ("입니다", "입니다"),
                   "casual": ("이야", "야")}[reg][0 if batchim(noun) else 1]


def ko_style(rng, noun):
    """(tense, speech level) for one set: one-off events stay in the past."""
    tense = "past" if noun in KO_EVENTS_NOUNS else rng.choice(["past", "past", "present"])
    return tense, rng.choice(KO_REGISTERS)


def ko_subject(rng, noun, dets):
    det = rng.choice(dets)
    r = rng.random()
    if r < 0.4:
        return det + josa(noun, "은", "는")
    if r < 0.8:
        return det + josa(noun, "이", "가")
    return det + noun + "도"  # 영화도 좋았다 ("the film was good too")


def words(s):
    return len(s.split())


def ko_short(rng, noun, dets, pair):
    """안 + the same past form: 영화가 좋았다 / 영화가 안 좋았다."""
    p, n = pair
    if not (KO_ADJ[p][3] and KO_ADJ[n][3]):
        return None
    s = ko_subject(rng, noun, dets)
    up = rng.choice(["", "정말", "아주", "꽤"])
    down = rng.choice(["", "별로", "하나도"])
    if words(s) + (1 if up else 0) < 2:
        up = rng.choice(["정말", "아주", "꽤"])
    tense, reg = ko_style(rng, noun)
    pp, np_ = ko_conj(p, tense, reg), ko_conj(n, tense, reg)
    j = lambda *xs: " ".join(x for x in xs if x)
    return [(j(s, up, pp), POS, p), (j(s, down, "안", pp), NEG, p),
            (j(s, up, np_), NEG, n), (j(s, down, "안", np_), POS, n)]


def ko_long(rng, noun, dets, pair):
    """-지 않았다, balanced by the confirming ending: 이 영화 정말 재미있지 / 그 영화는 재미있지 않았다."""
    if noun in KO_EVENTS_NOUNS:
        return None
    p, n = pair
    det = rng.choice(dets)
    s = ko_subject(rng, noun, dets)
    adv = rng.choice(["정말", "진짜", "너무"])
    down = rng.choice(["", "", "별로", "전혀"])
    aux = ko_conj("않다", *ko_style(rng, noun))
    pj, nj = KO_ADJ[p][1], KO_ADJ[n][1]
    # "정말 나쁘지" is not what people say about a film or a cafe; "정말 별로지" is.
    # (This leaves 나쁘지 in positive sentences only, a small price for "나쁘지 않았다".)
    nc = "별로지" if n == "나쁘다" else nj
    j = lambda *xs: " ".join(x for x in xs if x)
    conf = (det + noun).strip()
    q = rng.choice(["", "?"])  # the confirming -지 is often written as a question: 이 영화 정말 재미있지?
    pj_, nc = pj + q, nc + q
    return [(j(conf, adv, pj_), POS, p), (j(s, down, pj, aux), NEG, p),
            (j(conf, adv, nc), NEG, n), (j(s, down, nj, aux), POS, n)]


def ko_dislike(rng, noun, dets, _pair):
    """나는 그 노래가 싫지 않았다 (싫지 않다 is a classic Korean double negative)."""
    det = rng.choice([d for d in dets if d] or ["그 "])
    obj = det + josa(noun, "이", "가")
    conf = det + noun
    adv = rng.choice(["정말", "진짜"])
    aux = ko_conj("않다", *ko_style(rng, noun))
    who = "나는"  # 좋다 / 싫다 as feelings take a first-person subject
    return [(f"{conf} {adv} 좋지", POS, "좋다"), (f"{who} {obj} 별로 좋지 {aux}", NEG, "좋다"),
            (f"{conf} {adv} 싫지", NEG, "싫다"), (f"{who} {obj} 별로 싫지 {aux}", POS, "싫다")]


def ko_noun(rng, noun, pair):
    """재미있는 영화였다 / 재미있는 영화가 아니었다."""
    p, n = pair
    st = rng.choice(KO_STARTERS)
    if st == "솔직히" and rng.random() < 0.5:
        st = "솔직히,"
    tense, reg = ko_style(rng, noun)
    if noun in ("하루", "주말"):
        tense = "past"
    cop, negc = ko_cop(noun, tense, reg), ko_cop(noun, tense, reg, neg=True)
    pa, na = KO_ADJ[p][2], KO_ADJ[n][2]
    return [(f"{st} {pa} {cop}", POS, p), (f"{st} {pa} {negc}", NEG, p),
            (f"{st} {na} {cop}", NEG, n), (f"{st} {na} {negc}", POS, n)]


def ko_all_none(rng, noun, dets, _v):
    """모두가 그 영화를 좋아했다 / 아무도 그 영화를 안 좋아했다."""
    o = rng.choice(dets) + josa(noun, "을", "를")
    all_, none = rng.choice(KO_ALL_NONE)
    tense, reg = ko_style(rng, noun)
    like, hate = ko_conj("좋아하다", tense, reg), ko_conj("싫어하다", tense, reg)
    return [(f"{all_} {o} {like}", POS, "좋아하다"), (f"{none} {o} 안 {like}", NEG, "좋아하다"),
            (f"{all_} {o} {hate}", NEG, "싫어하다"), (f"{none} {o} 안 {hate}", POS, "싫어하다")]


def ko_people(rng, noun, dets, _v):
    """그 영화를 좋아하는 사람이 많았다 / ... 사람은 아무도 없었다."""
    o = rng.choice(dets) + josa(noun, "을", "를")
    tense, reg = ko_style(rng, noun)
    many, no = ko_conj("많다", tense, reg), ko_conj("없다", tense, reg)
    none = rng.choice(["사람이 ", "사람은 아무도 ", "사람은 한 명도 "]) + no
    return [(f"{o} 좋아하는 사람이 {many}", POS, "좋아하다"), (f"{o} 좋아하는 {none}", NEG, "좋아하다"),
            (f"{o} 싫어하는 사람이 {many}", NEG, "싫어하다"), (f"{o} 싫어하는 {none}", POS, "싫어하다")]


def ko_person(rng, noun, dets, _v):
    """나는 그 노래를 좋아한다 / 나는 그 노래를 안 좋아한다."""
    o = rng.choice(dets) + (josa(noun, "을", "를") if rng.random() < 0.75 else noun + "도")
    who = rng.choice(KO_PERSONS if noun not in ("수업", "강의") else ["나는", "친구들은", "우리 반 아이들은", "형은"])
    tense, reg = ko_style(rng, noun)
    like, hate = ko_conj("좋아하다", tense, reg), ko_conj("싫어하다", tense, reg)
    return [(f"{who} {o} {like}", POS, "좋아하다"), (f"{who} {o} 안 {like}", NEG, "좋아하다"),
            (f"{who} {o} {hate}", NEG, "싫어하다"), (f"{who} {o} 안 {hate}", POS, "싫어하다")]


def ko_parts(rng, noun, dets, part, pair):
    """그 영화에는 재미있는 장면이 많았다 / 재미있는 장면이 하나도 없었다."""
    p, n = pair
    det = rng.choice(dets)
    s = det + (noun + "에는" if rng.random() < 0.5 else josa(noun, "은", "는"))
    pt = josa(part, "이", "가")
    pa, na = KO_ADJ[p][2], KO_ADJ[n][2]
    tense, reg = ko_style(rng, noun)
    many, no = ko_conj("많다", tense, reg), ko_conj("없다", tense, reg)
    return [(f"{s} {pa} {pt} {many}", POS, p), (f"{s} {pa} {pt} 하나도 {no}", NEG, p),
            (f"{s} {na} {pt} {many}", NEG, n), (f"{s} {na} {pt} 하나도 {no}", POS, n)]


def ko_skill(rng, who_task, event):
    """잘했다 / 잘 못했다, and laughing or yawning that one could not hold back (참지 못했다)."""
    who, task = who_task
    ev, verb = event
    t = josa(task, "을", "를")
    e = josa(ev, "을", "를")
    adv = rng.choice(["", "정말"])
    j = lambda *xs: " ".join(x for x in xs if x)
    return [(j(josa(who, "은", "는"), t, adv, "잘했다"), POS, "잘하다"),
            (j(josa(who, "은", "는"), t, "잘 못했다"), NEG, "잘하다"),
            (f"{e} {verb} 내내 웃음을 참지 못했다", POS, "웃음"),
            (f"{e} {verb} 내내 하품을 참지 못했다", NEG, "하품")]


def ko_byeollo(rng, noun, dets, _p):
    """별로였다: a lexical 'not great', kept few because it gives its label away."""
    s = ko_subject(rng, noun, dets)
    return [(f"{s} 생각보다 괜찮았다", POS, "괜찮다"), (f"{s} 생각보다 별로였다", NEG, "별로"),
            (f"{s} 솔직히 별로였다", NEG, "별로"), (f"{s} 솔직히 최고였다", POS, "최고")]


def ko_candidates(rng):
    out = []
    for g in KO_GROUPS:
        for noun, dets in g["subjects"]:
            for pair in g["pairs"]:
                out.append(("안", (noun, pair), (lambda n=noun, d=dets, p=pair: ko_short(rng, n, d, p))))
                out.append(("-지 않았다", (noun, pair), (lambda n=noun, d=dets, p=pair: ko_long(rng, n, d, p))))
            out.append(("별로였다", (noun, "별로"), (lambda n=noun, d=dets: ko_byeollo(rng, n, d, None))))
    for noun, pairs in KO_NOUNS:
        for pair in pairs:
            out.append(("아니었다", (noun, pair), (lambda n=noun, p=pair: ko_noun(rng, n, p))))
    for noun, dets in KO_OBJECTS:
        v = ("좋아하다", "싫어하다")
        out.append(("모두/아무도", (noun, v, 1), (lambda n=noun, d=dets: ko_all_none(rng, n, d, v))))
        out.append(("사람이 없었다", (noun, v, 2), (lambda n=noun, d=dets: ko_people(rng, n, d, v))))
        out.append(("안 좋아한다", (noun, v, 3), (lambda n=noun, d=dets: ko_person(rng, n, d, v))))
        if noun in ("노래", "영화", "음식", "드라마", "게임", "수업", "그림", "앨범"):
            out.append(("싫지 않다", (noun, ("좋다", "싫다")),
                        (lambda n=noun, d=dets: ko_dislike(rng, n, d, None))))
    for noun, dets, part, pairs in KO_PARTS:
        for pair in pairs:
            out.append(("하나도 없었다", (noun + " " + part, pair),
                        (lambda n=noun, d=dets, pt=part, p=pair: ko_parts(rng, n, d, pt, p))))
    for wt, ev in zip(KO_SKILLS, KO_EVENTS):
        out.append(("못했다", (wt[0] + " " + ev[0], "잘/못"), (lambda w=wt, e=ev: ko_skill(rng, w, e))))
    return out


KO_WEIGHTS = {"안": 4, "-지 않았다": 4, "아니었다": 2, "모두/아무도": 1, "사람이 없었다": 1, "안 좋아한다": 1.5,
              "싫지 않다": 0.5, "하나도 없었다": 1.5, "못했다": 0.4, "별로였다": 0.3}


# --------------------------------------------------------------------------
# Building the splits
# --------------------------------------------------------------------------


def build(rng, candidates, weights):
    # Hold out TEST_SHARE of the combinations of every template, so that the
    # test set has every kind of sentence.
    by_name = {}
    for name, key, _ in candidates:
        if key not in by_name.setdefault(name, []):
            by_name[name].append(key)
    held, decided = set(), set()
    for name in sorted(by_name):
        keys = [k for k in by_name[name] if k not in decided]
        rng.shuffle(keys)
        held.update(keys[:round(len(keys) * TEST_SHARE)])
        decided.update(keys)
    pools = {"train": {}, "test": {}}
    for name, key, make in candidates:
        split = "test" if key in held else "train"
        pools[split].setdefault(name, []).append((key, make))
    for split in pools:
        for name in pools[split]:
            rng.shuffle(pools[split][name])

    result = {}
    seen = set()
    for split in ("train", "test"):
        rows, order = [], pools[split]
        train_vocab = None if split == "train" else {t for r in result["train"] for t in tokens(r[0])}
        names = sorted(order)
        count = dict.fromkeys(names, 0)
        while len(rows) < TARGET[split]:
            live = [n for n in names if order[n]]
            if not live:
                raise SystemExit(f"make_sentiment: ran out of {split} sentences at {len(rows)}")
            # the template furthest below its share of the split comes next
            name = min(live, key=lambda n: (count[n] / weights[n], n))
            key, make = order[name].pop()
            group = make()
            if group is None:
                continue
            # A test set must use only words seen in training; with four speech levels and two tenses a
            # first draw often has a form training lacks, so draw the set again (a few times) before giving
            # the combination up, which keeps every template near its share of the test set.
            for _ in range(12 if train_vocab is not None else 0):
                if all(tok in train_vocab for t, _, _ in group for tok in tokens(t)):
                    break
                group = make()
            # a full stop or an exclamation mark on some sets (the same for all the set's sentences)
            end = rng.choice(["", "", "", "", ".", "!"])
            if not any(t[-1] in "?.!" for t, _, _ in group):
                group = [(t + end, lab, adj) for t, lab, adj in group]
            texts = [t for t, _, _ in group]
            if len(set(texts)) != len(texts) or any(t in seen for t in texts):
                continue
            if any(not 3 <= words(t) <= 10 for t in texts):
                raise SystemExit(f"make_sentiment: bad length in {texts}")
            if train_vocab is not None and any(tok not in train_vocab for t in texts for tok in tokens(t)):
                continue
            if len(rows) + len(group) > TARGET[split] + 4:
                continue
            seen.update(texts)
            count[name] += len(group)
            rows.extend((t, lab, name, key, adj) for t, lab, adj in group)
        rng.shuffle(rows)
        result[split] = rows
    return result


def write(path, rows):
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["text", "label"])
        w.writerows(rows)


def main():
    for lang, cands, weights in (("en", en_candidates, EN_WEIGHTS), ("ko", ko_candidates, KO_WEIGHTS)):
        rng = random.Random(f"{SEED}-{lang}")
        splits = build(rng, cands(rng), weights)
        for split, rows in splits.items():
            path = os.path.join(HERE, f"sentiment-{lang}-{split}.csv")
            write(path, [(r[0], LABELS[lang][r[1]]) for r in rows])
            pos = sum(1 for r in rows if r[1] == POS)
            print(f"{os.path.relpath(path)}: {len(rows)} sentences, {pos} positive, {len(rows) - pos} negative")


if __name__ == "__main__":
    main()
