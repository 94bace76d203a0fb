"""Everyday words residents use when they say where something happens: never the name of a town.

``qualifiers`` reads a run of other words right beside a street ("Pelsall High Street") as a place the data
may not know; these lists keep "Viscount Road garages", "outside Greggs" and "the Kings Head" from being
read that way. All words are as ``normalise_place_name`` writes them (lower case, no apostrophe or
possessive s).
"""

from __future__ import annotations

# Prepositions, articles, pronouns and the like: a run of name words stops at them.
GLUE = frozenset(
    """
    a about above across after again against along among an and any anyone around at away be behind
    below beneath beside between both but by down each every for from he her here his in inside into is
    it its just me mine my near nearby next no not of off on onto opposite or our out outside over past
    round she so some someone that the their them there these they this those through to towards under
    up upon us was we were where which while who with yes you your
    """.split()
)
# When: "Viscount Road tonight".
TIMES = frozenset(
    """
    always daily day days evening evenings everyday hour hours last late midnight morning mornings night
    nights now often today tonight usual usually week weekend weekends weeks yesterday
    """.split()
)
# Settlement words: "Walsall town centre" is still Walsall.
SETTLEMENT = frozenset({"town", "village", "city", "centre", "center", "area", "side", "end", "market"})
# Things and kinds of place: "Viscount Road garages", "the Kebab shop", "Doctors surgery".
THINGS = frozenset(
    """
    academy alley alleys alleyway alleyways allotment allotments arcade arms bakers bakery balaclava
    balaclavas bank bar barber barbers barn barns baths beach bench benches betting big bin bins black
    block blocks blue boating bollards bookies bookmakers bottom bowling bowls boys bridge brook bungalow
    bungalows bus buses butcher butchers cafe canal car carpark cars carwash causeway cemetery chapel
    chemist chemists chinese chip chippy church churchyard cinema clinic close club college common
    community corner cottage cottages council court crematorium cricket crossing cul curry cut cutthrough
    dam dentist dentists doctor doctors dog dogs door doors drive driveway edge entrance estate exit
    factory far farm fence field fields fish flat flats floor florist fly football footbridge footpath
    front gang garage garages garden gardens gate gates girls golf grass green grey ground grounds group
    gym hairdresser hairdressers hall head health high hill home homes hood hoodie hoodies hoods hospital
    hostel hotel house houses hut indian industrial infant infants inn jitty junction junior juniors kebab
    kids lads lake lamp lamppost lane launderette layby left legion leisure library lights local lock lot
    main marina mask masks meadow medical middle mosque mot nature newsagent newsagents number nursery
    office offie paddock parade park parking part path pavement people petrol pharmacy pitch pitches pizza
    play playground playing pond pool post precinct primary pub pubs rail railway rec recreation red
    reserve reservoir rest right ring river road roundabout row rubbish rugby sailing salon same school
    scout scouts secondary shed sheds shelter shop shops site skate skatepark slope social space sports
    square station stop store stream street subway supermarket surgery swimming takeaway tavern temple
    tennis tip top tower towpath track traffic trail trees tunnel tyre tyres underpass uniform unit units
    van vans verge vet vets visitor wall walls wasteland water way weir white woods working yard yards
    young youth youths
    """.split()
)
# Shops, chains and words of pub names residents use as landmarks ("outside Greggs", "the Kings Head").
SHOPS_AND_PUBS = frozenset(
    """
    aldi anchor argos asda bargain bell betfred bookies boots booze bull burger coop coral costa crown
    currys dominos express farmfoods feathers fox greggs greyhound halfords hart harrow heron homebase horse
    iceland jockey kfc ladbrokes lidl lion londis mccolls mcdonald mcdonalds morrisons nag nags nandos nisa
    oak plough poundland premier primark sainsbury sainsburys screwfix spar specsavers spoons star
    starbucks superdrug swan tesco toolstation vaults waitrose wetherspoon wetherspoons wheatsheaf wickes
    wilko wimpy
    """.split()
)
# Words that say only "this country" or a region: never evidence of a place outside the area.
NATIONAL = frozenset(
    {
        "uk",
        "england",
        "britain",
        "great britain",
        "united kingdom",
        "gb",
        "midlands",
        "west midlands",
        "east midlands",
        "north east",
        "north west",
        "wales",
        "cymru",
    }
)
_COUNTY_NAMES = """
    bedfordshire berkshire buckinghamshire cambridgeshire cheshire cornwall cumbria derbyshire devon dorset
    essex gloucestershire hampshire herefordshire hertfordshire kent lancashire leicestershire lincolnshire
    norfolk northamptonshire northumberland nottinghamshire oxfordshire rutland shropshire somerset
    staffordshire suffolk surrey warwickshire wiltshire worcestershire merseyside
    """.split()
_ABBREVIATIONS = {
    "beds": "bedfordshire",
    "berks": "berkshire",
    "bucks": "buckinghamshire",
    "cambs": "cambridgeshire",
    "derbys": "derbyshire",
    "glos": "gloucestershire",
    "hants": "hampshire",
    "herts": "hertfordshire",
    "lancs": "lancashire",
    "leics": "leicestershire",
    "lincs": "lincolnshire",
    "northants": "northamptonshire",
    "notts": "nottinghamshire",
    "oxon": "oxfordshire",
    "salop": "shropshire",
    "shrops": "shropshire",
    "staffs": "staffordshire",
    "warks": "warwickshire",
    "wilts": "wiltshire",
    "worcs": "worcestershire",
}
# Counties of England as residents write them (with the usual abbreviations) -> the county.
COUNTIES: dict[str, str] = {
    **{name: name for name in _COUNTY_NAMES},
    **_ABBREVIATIONS,
    **{
        name: name
        for name in (
            "greater manchester",
            "tyne and wear",
            "south yorkshire",
            "west yorkshire",
            "north yorkshire",
            "east yorkshire",
            "east sussex",
            "west sussex",
            "isle of wight",
        )
    },
    "county durham": "durham",
    "co durham": "durham",
    "durham": "durham",
}
