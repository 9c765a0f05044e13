"""The seed story: the page described in the project's seed README, reproduced as test data.

A WordPress-style news theme republished this story (Cuba and the United States, 2 February 2026).
`PARAGRAPHS` is the story text, in order, with the one subheading (`SUBHEADING_INDEX`); everything
else on the page (`NOISE`) is theme chrome that must not reach a stored record.
"""

from __future__ import annotations

TITLE = 'Cuba changes tone towards the United States and reaffirms “its commitment to cooperate”'
DATE_PUBLISHED = "2026-02-02T09:30:00-05:00"
SLUG = "cuba-changes-tone-towards-the-united-states-and-reaffirms-its-commitment-to-cooperate"

#: Story text in order; the subheading is part of the story.
PARAGRAPHS: tuple[str, ...] = (
    'In a very different tone than exhibited by Miguel Díaz-Canel Last Friday, and amid pressure from the Donald Trump Administration, the Cuban Ministry of Foreign Affairs issued a statement this Sunday in which it “reaffirms its commitment to cooperate with the United States and other nations to strengthen regional and international security.”',
    'Just yesterday, in line with what there was declared the day before Trump insisted that his Government is “talking to the highest levels” of the regime and he was optimistic: “I think we are going to reach an agreement with Cuba.”',
    'The text of the Ministry led by Bruno Rodríguez includes the “unequivocal condemnation” by the Island of “terrorism in all its forms and manifestations”, an idea that it insists on in the following paragraphs: “Cuba categorically declares that it does not host, support, finance or allow terrorist or extremist organizations. Our country maintains a policy of zero tolerance towards the financing of terrorism and money laundering, and is committed to the prevention, detection and confrontation of illicit financial activities, in line with international standards.”',
    'Foreign Affairs also alludes to the origin of Cuba’s inclusion in the US list of countries sponsoring terrorism In 2021, during the first Administration of Donald Trump, from which it was removed by the next president, Joe Biden, and “reincluded” at the beginning of Trump’s second term, relations with the leadership of the National Liberation Army (ELN) during the talks with the Colombian Government in which Havana was a mediator, although without explicitly mentioning it. “Any past interactions involving individuals subsequently designated as terrorists occurred only in limited humanitarian contexts, linked to internationally recognized peace processes, at the request of their respective governments, in a fully transparent manner,” the statement said.',
    'The guerrilla leaders have moved between Venezuela and Cuba, a country that hosted the dialogues between 2018 and 2019, the year in which they were frozen. Colombia, then, urged the United States to include the Island on the list of sponsors of terrorism, for refusing to extradite the members of the guerrilla group who were in its territory. The talks had been stalled after an attack by that guerrilla against the Police School in Bogotá in January 2019, where 23 people died and nearly a hundred were injured.',
    'The statement mentions none of this, with a permanent defensive accent: “Cuba does not host foreign military or intelligence bases and rejects the characterization of being a threat to the security of the United States. Nor has it supported any hostile activity against that country nor will it allow our territory to be used against another nation.”',
    'At the same time, the text highlights the “willingness to maintain a respectful and reciprocal dialogue” with the northern neighbor, something that Trump affirmed on Saturday is already taking place and reaffirmed again on Sunday. Thus, Foreign Affairs indicates that the Island “is willing to reactivate and expand bilateral cooperation with the United States to confront shared transnational threats, without ever giving up the defense of its sovereignty and independence.”',
    'The tone drops even further in the last paragraphs, which emphasize the proposal to “renew technical cooperation with the United States in areas that include the fight against terrorism, the prevention of money laundering, the fight against drug trafficking, cybersecurity, human trafficking and financial crimes,” and it is stated that both nations “benefit from constructive engagement, cooperation in accordance with the law and peaceful coexistence.”',
    'According to independent journalist Carlos Cabrera, Cuba and the United States are negotiating in Mexico',
    'Last Friday, the regime’s attitude was very different. In a speech widely disseminated by Cubadebate and later converted into an official statement, Díaz-Canel responded to US pressure by saying: “The president of the Empire is behaving like a Hitler, with a criminal policy of contempt, which aims to take over the world.” The official text took up the old Castro motto, stating that “the decision is one: homeland or death.”',
    'According to the independent journalist Carlos Cabrera Cuba and the United States are negotiating in Mexico. Based on a source “close to the Government of Claudia Sheinbaum,” he assured that the first conversations concluded early Saturday morning, “a principle of agreement to begin a transition to democracy, pending final approval from the White House.”',
    'In them, according to the same source, General Alejandro Castro Espín, son of Raúl Castro, participates, who “transmitted to a senior CIA official the willingness of the Castro authorities to begin the democratization of Cuba, in exchange for ‘an amnesty’ for his father and other senior Castro officials.”',
    'Similarly, Cabrera asserts that a senior official from the Ministry of Justice revealed that his agency is working on “a process of releasing political prisoners, starting on Wednesday, February 4,” which he described as a “gesture of good will, unilateral and sovereign” by the regime, as did a “senior official” from the Ministry of the Interior, who announced the “next release, this week” of the political prisoners, although “he refused to go into details.”',
    'In a report published last week, the newspaper The Wall Street Journal revealed that Donald Trump’s Administration was looking for a figure within the Cuban regime with whom to negotiate a democratic transition, just as it is doing in Venezuela, after the capture of Nicolás Maduro, with Delcy Rodríguez.',
)
SUBHEADING_INDEX = 8

#: The pull quote: a variant of a body sentence, printed alone in the page (noise).
PULL_QUOTE = '“Any past interactions involving persons subsequently designated as terrorists occurred only in limited humanitarian contexts.”'

#: Inline links inside the story, as (paragraph index, anchor text, href). The page keeps a space (or
#: punctuation) between each link and its neighbours, so correct text assembly never glues words
#: ("day before Trump", "Carlos Cabrera Cuba") even though a naive scraper did.
LINKS: tuple[tuple[int, str, str], ...] = (
    (1, "Trump", "/tag/donald-trump/"),
    (3, "In 2021", "/tag/terrorism/"),
    (9, "Cubadebate", "http://www.cubadebate.cu/"),
    (10, "Carlos Cabrera", "/tag/cuba/"),
    (10, "Cuba and the United States are negotiating in Mexico", "https://www.eltoque.com/"),
    (13, "The Wall Street Journal", "https://www.wsj.com/"),
)
TAGS: tuple[str, ...] = ("Cuba", "United States", "Donald Trump", "Terrorism")

TODAY = "Today: February 2, 2026"
READING_TIME = "3 mins read"
SOURCE_LINK = "Source link"
COFFEE_TEASER = 'They celebrated "Buenos Aires Coffee Day" with a tour of historic bars - Télam'
COFFEE_URL = "https://www.telam.com.ar/notas/202512/buenos-aires-coffee-day.html"
FILLER = "Cum at clita latine. Tation nominavi quo id. An est possit adipiscing, error tation qualisque vel te."
PREVIOUS_HEADLINE = "Salary increase at UNAM “is an insult”: teachers"
NEXT_HEADLINE = "Cuban regime rejects being a “threat” and offers cooperation to the US in security"
NEXT_IMAGE_CAPTION = (
    "Jerarcas del régimen cubano reciben en La Habana los restos de los 32 cubanos fallecidos en Venezuela"
)
BLOG_TITLE = "Tomorrow there is a world day of solidarity"
BLOG_EXCERPT = (
    "The military aggression of January 3 awakened a feeling of indignation that has overflowed the "
    "Venezuelan borders. The streets of cities like London, Madrid, Brussels and Istanbul have been "
    "filled with people"
)

#: Noise lines of the seed page (seed README table) that must not appear in a stored record's text.
NOISE: tuple[str, ...] = (
    TODAY,
    READING_TIME,
    PULL_QUOTE.strip("“”"),
    SOURCE_LINK,
    "Latest Posts",
    COFFEE_TEASER,
    FILLER,
    "Categories",
    "Previous Story",
    PREVIOUS_HEADLINE,
    "Next Story",
    NEXT_HEADLINE,
    NEXT_IMAGE_CAPTION,
    "Latest from Blog",
    BLOG_TITLE,
    BLOG_EXCERPT,
    "Go to Top",
    "Go toTop",
)
