"""The documented model behind the demo data: one spec per KPI.

Every municipality outcome follows, for year ``t`` (README.md has the full story)::

    y_it = (level + trend·(t − 2024) + Σ_k b_k·(x_k,it − c_k) + u_i + e_it) · growth^(t − 2024)

with ``x_k`` the *published* (rounded) values of the driver KPIs, ``c_k`` their unweighted
2024 mean over the 290 municipalities, ``u_i ~ N(0, sd_u)`` a municipality effect that is
constant over the years and ``e_it ~ N(0, sd_e)`` yearly noise, both independent of the
drivers. For the reference year 2024 (``growth`` factor 1) the cross-section is therefore
exactly ``y = a + Σ b_k·x_k + (u + e)`` with ``a = level − Σ b_k·c_k``, which is what
:func:`analys.demo.truth` reports. Results are clipped to ``[lo, hi]`` (rare for the
recorded outcomes) and rounded to ``decimals``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

REFERENCE_YEAR = 2024


@dataclass(frozen=True)
class Spec:
    """How one KPI is generated.

    Parameters
    ----------
    level
        Typical municipality value in 2024 at average drivers.
    sd_u, sd_e
        Standard deviations of the municipality effect and of the yearly noise.
    trend
        Additive change per year.
    growth
        Multiplicative yearly factor (costs: 1.035 is +3.5 % a year).
    drivers
        Driver KPI id -> coefficient ``b_k`` in the KPI's own units.
    lo, hi
        Plausible range; generated values are clipped into it.
    decimals
        Rounding of published values (0 for kronor and days).
    start
        First year with data (KPIs starting later than 2012).
    gaps
        Years without any data (survey not run).
    only
        When set, the only years with data (e.g. election years).
    miss, miss_small
        Base probability of a missing value, plus an extra probability that grows to
        ``miss_small`` for the smallest municipalities (linearly below 15 000 inhabitants).
    gender_gap
        ``K − M`` difference for KPIs divided by gender; ``T`` is the mean of K and M.
    aggregate
        How regions and Riket combine municipalities: ``mean`` (population-weighted),
        ``sum`` (counts) or ``density``.
    """

    level: float
    sd_u: float
    sd_e: float
    trend: float = 0.0
    growth: float = 1.0
    drivers: dict[str, float] = field(default_factory=dict)
    lo: float = float("-inf")
    hi: float = float("inf")
    decimals: int = 1
    start: int = 2012
    gaps: tuple[int, ...] = ()
    only: tuple[int, ...] = ()
    miss: float = 0.01
    miss_small: float = 0.02
    gender_gap: float = 0.0
    aggregate: str = "mean"


def nka(sd_u: float = 5.0, sd_e: float = 2.0, **kw) -> Spec:
    """A net cost deviation (nettokostnadsavvikelse, %): neutral, centred at 0, ±25 at most."""
    return Spec(0.0, sd_u, sd_e, lo=-25.0, hi=25.0, **kw)


def cost(level: float, sd_u: float, sd_e: float, growth: float = 1.035, **kw) -> Spec:
    """A cost in kronor: whole kronor, yearly increase, never below 30 % of the level."""
    return Spec(level, sd_u, sd_e, growth=growth, decimals=0, lo=0.3 * level, hi=3.0 * level, **kw)


SURVEY_GAPS = (2020,)  # the user surveys were not run in the pandemic year (demo assumption)
ELECTIONS = (2014, 2018, 2022)
SCHOOL = {"miss": 0.01, "miss_small": 0.12}

# Structural drivers are generated in generate.py (structure()); their published values
# drive the outcomes below. They are listed here for ranges and rounding only.
STRUCTURAL: dict[str, Spec] = {
    "N01951": Spec(
        0, 0, 0, decimals=0, lo=2000, hi=1_200_000, aggregate="sum", miss=0, miss_small=0
    ),
    "N02937": Spec(0, 0, 0, decimals=1, lo=0.1, hi=6000, aggregate="density", miss=0, miss_small=0),
    "N01982": Spec(0, 0, 0, lo=15, hi=75, miss=0, miss_small=0, gender_gap=12),
    "N15816": Spec(0, 0, 0, lo=15, hi=90, miss=0, miss_small=0),
    "N17828": Spec(0, 0, 0, lo=15, hi=90, miss=0, miss_small=0),
    "N00906": Spec(
        0, 0, 0, decimals=0, lo=140_000, hi=600_000, miss=0, miss_small=0, gender_gap=-45_000
    ),
    "N02926": Spec(0, 0, 0, lo=2, hi=45, miss=0, miss_small=0, gender_gap=0.8),
    "N01950": Spec(0, 0, 0, lo=4, hi=55, miss=0, miss_small=0, gender_gap=1.0),
    "N01960": Spec(0, 0, 0, lo=10, hi=38, miss=0, miss_small=0, gender_gap=2.0),
    "N01813": Spec(0, 0, 0, lo=2, hi=11, miss=0, miss_small=0),
    "N01994": Spec(0, 0, 0, lo=14, hi=30, miss=0, miss_small=0, gender_gap=-1.0),
}

OUTCOMES: dict[str, Spec] = {
    # --- förskola
    "N11008": cost(160_000, 11_000, 4_000, drivers={"N01982": 250.0}),
    "N11102": Spec(5.2, 0.35, 0.15, trend=-0.02, drivers={"N01994": 0.04}, lo=4.0, hi=7.0),
    "N11800": Spec(
        86.0, 2.5, 1.0, trend=0.3, drivers={"N02926": -0.25, "N01982": 0.1}, lo=68, hi=97
    ),
    "N11041": Spec(40.0, 6.0, 2.0, trend=-0.3, drivers={"N01982": 0.3}, lo=12, hi=75),
    "N11808": Spec(38.0, 6.0, 2.0, trend=-0.2, drivers={"N01982": 0.3}, lo=12, hi=75, start=2015),
    "N11811": Spec(12.5, 1.5, 0.5, trend=0.1, drivers={"N01982": -0.05}, lo=7, hi=22, start=2015),
    "N11024": nka(6.0, 2.5),
    "N11004": cost(7_500, 700, 200, growth=1.03, drivers={"N01994": 250.0}),
    # --- grundskola
    "N15027": cost(120_000, 8_000, 3_000, drivers={"N01960": 800.0}),
    "N15033": Spec(12.0, 0.8, 0.3, drivers={"N01960": -0.08}, lo=9, hi=15.5),
    "N15813": Spec(72.0, 6.0, 2.0, trend=0.2, drivers={"N01982": 0.25}, lo=45, hi=96),
    "N15507": Spec(
        225.0,
        6.0,
        4.0,
        trend=0.6,
        drivers={"N15816": 0.9, "N02926": -0.45, "N00906": 0.00008},
        lo=170,
        hi=280,
        gender_gap=22.0,
        **SCHOOL,
    ),
    "N15504": Spec(
        225.0,
        7.0,
        4.0,
        trend=0.6,
        drivers={"N15816": 0.85, "N02926": -0.4},
        lo=170,
        hi=280,
        gender_gap=22.0,
        **SCHOOL,
    ),
    "N15428": Spec(
        85.0,
        3.0,
        2.0,
        trend=0.1,
        drivers={"N15816": 0.3, "N02926": -0.35},
        lo=55,
        hi=100,
        gender_gap=1.5,
        **SCHOOL,
    ),
    "N15508": Spec(
        74.0,
        4.0,
        2.5,
        trend=0.1,
        drivers={"N15816": 0.45, "N02926": -0.35},
        lo=40,
        hi=98,
        gender_gap=3.0,
        **SCHOOL,
    ),
    "N15543": Spec(
        77.0,
        4.0,
        2.5,
        drivers={"N15816": 0.4, "N02926": -0.3},
        lo=45,
        hi=99,
        gender_gap=3.0,
        start=2013,
        **SCHOOL,
    ),
    "N15560": Spec(
        79.0,
        4.0,
        2.5,
        trend=0.1,
        drivers={"N15816": 0.4, "N02926": -0.2},
        lo=45,
        hi=99,
        gender_gap=3.0,
        **SCHOOL,
    ),
    "N15001": nka(5.0, 2.0),
    "U15415": Spec(
        225.0,
        2.0,
        1.0,
        trend=0.5,
        drivers={"N15816": 1.0, "N02926": -0.3},
        lo=170,
        hi=280,
        start=2014,
        miss=0.02,
        miss_small=0.15,
    ),
    "U15416": Spec(0.0, 6.0, 3.0, lo=-30, hi=30, start=2014, miss=0.02, miss_small=0.2),
    # --- gymnasieskola
    "N17005": cost(125_000, 9_000, 4_000, growth=1.03, drivers={"N01960": 900.0}),
    "N17461": Spec(
        77.0,
        3.0,
        2.0,
        trend=0.1,
        drivers={"N17828": 0.3, "N02926": -0.2},
        lo=50,
        hi=95,
        gender_gap=4.0,
        **SCHOOL,
    ),
    "N17457": Spec(
        79.0,
        3.0,
        2.0,
        trend=0.1,
        drivers={"N17828": 0.3, "N02926": -0.2},
        lo=50,
        hi=96,
        gender_gap=4.0,
        **SCHOOL,
    ),
    "N17445": Spec(
        71.0,
        3.0,
        2.5,
        trend=0.2,
        drivers={"N17828": 0.35, "N02926": -0.25},
        lo=45,
        hi=92,
        gender_gap=5.0,
        **SCHOOL,
    ),
    "N17448": Spec(
        70.0,
        6.0,
        3.0,
        drivers={"N17828": 0.3, "N02926": -0.25},
        lo=40,
        hi=95,
        gender_gap=5.0,
        miss=0.05,
        miss_small=0.6,
    ),
    "N17825": Spec(
        80.0, 6.0, 2.0, drivers={"N01982": 0.15}, lo=50, hi=100, miss=0.05, miss_small=0.6
    ),
    "N17816": Spec(12.0, 1.2, 0.4, lo=7, hi=17, miss=0.05, miss_small=0.6),
    "N17001": nka(6.0, 2.5),
    # --- äldreomsorg
    "N20048": cost(270_000, 25_000, 8_000, growth=1.03, drivers={"N01813": -6_000.0}),
    "N20900": nka(6.0, 3.0),
    "U21468": Spec(
        88.0,
        3.0,
        2.5,
        trend=-0.1,
        drivers={"N02926": -0.2, "N01813": 0.6},
        lo=65,
        hi=100,
        gender_gap=-0.5,
        gaps=SURVEY_GAPS,
        miss=0.02,
        miss_small=0.15,
    ),
    "U21466": Spec(
        96.0,
        1.5,
        1.5,
        drivers={"N02926": -0.1},
        lo=82,
        hi=100,
        gender_gap=-0.3,
        gaps=SURVEY_GAPS,
        miss=0.02,
        miss_small=0.15,
    ),
    "U23471": Spec(
        81.0,
        4.0,
        3.0,
        drivers={"N02926": -0.2},
        lo=55,
        hi=99,
        gender_gap=-0.5,
        gaps=SURVEY_GAPS,
        miss=0.03,
        miss_small=0.25,
    ),
    "U23464": Spec(
        55.0, 6.0, 4.0, lo=25, hi=85, gaps=SURVEY_GAPS, start=2016, miss=0.03, miss_small=0.25
    ),
    "U23401": Spec(
        65.0,
        25.0,
        15.0,
        trend=1.0,
        drivers={"N01813": 3.0},
        lo=5,
        hi=260,
        decimals=0,
        gender_gap=2.0,
        miss=0.04,
        miss_small=0.3,
    ),
    "N21704": Spec(
        21.0, 3.0, 1.0, trend=-0.1, drivers={"N01813": -0.3}, lo=8, hi=36, gender_gap=4.0
    ),
    "N23801": Spec(11.5, 2.0, 0.7, trend=-0.15, lo=4, hi=20),
    "N20892": Spec(33.0, 3.0, 1.2, trend=-0.2, lo=20, hi=48, gender_gap=8.0),
    # --- funktionsnedsättning / LSS
    "N25022": cost(9_000, 1_800, 400, growth=1.03, drivers={"N01960": 100.0}),
    "N28012": cost(3_500, 900, 200, growth=1.03),
    "N28013": cost(1_100_000, 120_000, 50_000, growth=1.03, miss=0.03, miss_small=0.2),
    "N28009": cost(1_300, 300, 80, growth=1.03),
    "N28018": nka(7.0, 3.0),
    "N28717": Spec(
        85.0,
        5.0,
        4.0,
        lo=50,
        hi=100,
        start=2016,
        gender_gap=1.0,
        gaps=SURVEY_GAPS,
        miss=0.1,
        miss_small=0.45,
    ),
    "N28718": Spec(
        80.0,
        5.0,
        4.0,
        lo=50,
        hi=100,
        start=2016,
        gender_gap=1.0,
        gaps=SURVEY_GAPS,
        miss=0.1,
        miss_small=0.45,
    ),
    "N28723": Spec(
        88.0,
        5.0,
        4.0,
        lo=50,
        hi=100,
        start=2016,
        gender_gap=1.0,
        gaps=SURVEY_GAPS,
        miss=0.1,
        miss_small=0.45,
    ),
    "N28685": Spec(
        90.0,
        5.0,
        4.0,
        lo=50,
        hi=100,
        start=2016,
        gender_gap=1.0,
        gaps=SURVEY_GAPS,
        miss=0.1,
        miss_small=0.45,
    ),
    # --- individ- och familjeomsorg
    "N30101": cost(5_000, 700, 250, growth=1.03, drivers={"N02926": 60.0, "N03937": 100.0}),
    "N30001": nka(7.0, 3.0),
    "N31807": Spec(
        3.8,
        0.6,
        0.25,
        trend=-0.08,
        drivers={"N02926": 0.12, "N03937": 0.3, "N01982": -0.03},
        lo=0.5,
        hi=12,
    ),
    "N31816": Spec(
        40.0,
        8.0,
        4.0,
        drivers={"N02926": 0.4},
        lo=10,
        hi=75,
        gender_gap=-3.0,
        miss=0.03,
        miss_small=0.2,
    ),
    "N31825": Spec(
        3.2,
        0.5,
        0.2,
        trend=-0.07,
        drivers={"N02926": 0.1, "N03937": 0.25},
        lo=0.4,
        hi=11,
        gender_gap=0.1,
    ),
    "N31000": cost(2_600, 400, 150, growth=1.01, drivers={"N02926": 90.0}),
    "U31402": Spec(
        14.0, 6.0, 4.0, lo=1, hi=60, decimals=0, gender_gap=0.0, miss=0.05, miss_small=0.3
    ),
    # --- ekonomi
    "N00901": Spec(
        21.5,
        0.6,
        0.02,
        drivers={"N00906": -0.00001},
        lo=17,
        hi=24,
        decimals=2,
        miss=0,
        miss_small=0,
    ),
    "N03001": Spec(3.0, 2.0, 2.2, lo=-8, hi=14),
    "N03102": Spec(3.2, 2.0, 2.3, lo=-8, hi=14),
    "N03106": Spec(45.0, 12.0, 1.5, trend=-0.3, lo=0, hi=85),
    "N03002": Spec(25.0, 15.0, 2.0, trend=0.5, lo=-35, hi=75),
    "N03079": Spec(98.0, 1.5, 1.5, lo=88, hi=108),
    "N00097": Spec(
        0.0,
        3.5,
        1.5,
        drivers={"N01982": -0.08, "N02926": 0.06},
        lo=-25,
        hi=25,
        miss=0,
        miss_small=0,
    ),
    "N03011": cost(65_000, 4_000, 1_000, drivers={"N01960": 900.0}, miss=0, miss_small=0),
    "N00003": cost(42_000, 3_000, 800, miss=0, miss_small=0),
    "N00090": Spec(7.2, 0.9, 0.4, trend=0.05, lo=3.5, hi=12, gender_gap=2.0),
    # --- miljö och klimat
    "N00401": Spec(4.5, 1.6, 0.3, trend=-0.12, drivers={"N02937": -0.0003}, lo=0.8, hi=20),
    "N85073": Spec(1.6, 0.4, 0.1, trend=-0.05, drivers={"N02937": -0.0002}, lo=0.3, hi=4),
    "U07414": Spec(38.0, 6.0, 2.5, trend=0.5, lo=12, hi=70, miss=0.03, miss_small=0.1),
    "U07801": Spec(
        450.0, 50.0, 20.0, trend=-3.0, lo=280, hi=800, decimals=0, miss=0.03, miss_small=0.1
    ),
    "U07514": Spec(30.0, 10.0, 3.0, trend=0.5, lo=0, hi=75, start=2013, miss=0.05, miss_small=0.15),
    "N07945": Spec(9.0, 2.0, 0.4, growth=1.3, drivers={"N00906": 0.00002}, lo=0, hi=35, start=2015),
    # charging points: drawn per 1 000 inhabitants, published as a count (× N01951 / 1000)
    "N07713": Spec(
        4.0, 1.4, 0.3, growth=1.35, lo=0.05, hi=15, decimals=0, start=2015, aggregate="sum"
    ),
    # --- kultur och fritid
    "N09100": cost(1_500, 350, 100, growth=1.025),
    "N09102": cost(1_400, 300, 90, growth=1.025),
    "N09022": cost(1_300, 300, 90, growth=1.025),
    "N09809": Spec(
        22.0, 4.0, 1.5, trend=-0.3, drivers={"N01982": 0.2}, lo=8, hi=40, gender_gap=8.0
    ),
    "N09807": Spec(4.0, 0.9, 0.3, trend=-0.1, lo=1, hi=9),
    "N09004": cost(220, 55, 25, growth=1.02, miss=0.05, miss_small=0.1),
    # --- folkhälsa, befolkning, socioekonomi
    "N03937": Spec(
        6.5,
        1.3,
        0.5,
        drivers={"N02926": 0.2, "N01982": -0.06},
        lo=1.5,
        hi=16,
        gender_gap=-0.5,
        miss=0,
        miss_small=0,
    ),
    "N00957": Spec(
        24.0,
        3.0,
        1.0,
        trend=-0.6,
        drivers={"N01982": -0.25, "N01960": 0.4},
        lo=8,
        hi=50,
        gender_gap=8.0,
    ),
    "N00938": Spec(
        9.5, 1.5, 0.5, trend=0.1, drivers={"N01982": -0.08}, lo=3, hi=20, gender_gap=5.0
    ),
    "N00923": Spec(
        81.2, 0.7, 0.3, trend=0.15, drivers={"N01982": 0.06}, lo=76, hi=86, miss=0, miss_small=0
    ),
    "N00925": Spec(
        84.8, 0.6, 0.3, trend=0.1, drivers={"N01982": 0.04}, lo=80, hi=89, miss=0, miss_small=0
    ),
    "N00956": Spec(
        0.32,
        0.02,
        0.005,
        trend=0.001,
        drivers={"N00906": 0.0000003},
        lo=0.2,
        hi=0.5,
        decimals=3,
        gender_gap=-0.02,
        miss=0,
        miss_small=0,
    ),
    "N02901": Spec(
        12.0,
        2.0,
        0.5,
        drivers={"N15816": -0.2, "N02926": 0.25},
        lo=2,
        hi=35,
        gender_gap=0.0,
        miss=0,
        miss_small=0,
    ),
    "N05401": Spec(
        84.0,
        2.0,
        1.0,
        drivers={"N01982": 0.25, "N02926": -0.2},
        lo=65,
        hi=95,
        gender_gap=1.5,
        only=ELECTIONS,
        miss=0,
        miss_small=0,
    ),
}

# Rates that are derived from other KPIs in generate.py rather than drawn on their own.
DERIVED = {
    "N00900": "N00901 + the county's regional tax rate (REGION_TAX)",
}

# Regional council KPIs (type L): drawn per region, Riket = population-weighted mean.
REGIONAL: dict[str, Spec] = {
    "N70061": cost(31_000, 1_800, 500, growth=1.04, miss=0, miss_small=0),
    "N70017": cost(27_000, 1_600, 450, growth=1.04, miss=0, miss_small=0),
    "N79240": Spec(40.0, 10.0, 5.0, trend=1.5, lo=10, hi=120, decimals=0, start=2013),
    "N79242": Spec(55.0, 12.0, 6.0, trend=2.0, lo=15, hi=160, decimals=0, start=2013),
    "U72552": Spec(75.0, 10.0, 5.0, trend=-0.5, lo=30, hi=100, start=2013),
    "U79049": Spec(80.0, 8.0, 4.0, trend=-0.3, lo=40, hi=100, start=2013),
    "U70425": Spec(3.0, 1.5, 0.6, trend=0.05, lo=0, hi=10),
    "U79134": Spec(2.0, 1.0, 0.4, lo=0, hi=8),
    "N79176": Spec(4.5, 1.5, 0.6, trend=0.1, lo=0.5, hi=12),
    "N79171": Spec(80.0, 3.0, 1.5, lo=65, hi=92, start=2014, gaps=(2020, 2021), gender_gap=0.5),
    "N79190": Spec(55.0, 6.0, 2.0, trend=-0.8, lo=30, hi=85, decimals=0, gender_gap=-25.0),
    "N71807": Spec(1700.0, 200.0, 60.0, trend=-10, lo=1000, hi=2600, decimals=0),
    "N70845": Spec(2.0, 0.25, 0.05, trend=-0.02, lo=1.2, hi=3.2),
}

# Regional tax rate by county (approximate 2024 levels; demo assumption).
REGION_TAX = {
    "01": 12.08,
    "03": 11.71,
    "04": 11.83,
    "05": 11.55,
    "06": 11.76,
    "07": 12.00,
    "08": 11.86,
    "09": 12.08,
    "10": 11.89,
    "12": 11.18,
    "13": 11.40,
    "14": 11.48,
    "17": 11.73,
    "18": 12.30,
    "19": 11.41,
    "20": 11.64,
    "21": 11.51,
    "22": 11.28,
    "23": 11.50,
    "24": 11.35,
    "25": 11.35,
}

# Structural means by SKR group (2024): education N01982 %, foreign-born N02926 %,
# 65+ N01960 %, log10 density N02937, population growth per year.
BY_SKR = {
    #      educ  foreign  old  log10dens growth
    "A1": (60.0, 31.0, 15.5, 3.2, 0.012),
    "A2": (53.0, 24.0, 17.5, 2.4, 0.010),
    "B3": (51.0, 21.0, 19.0, 1.9, 0.009),
    "B4": (40.0, 16.0, 21.0, 1.5, 0.004),
    "B5": (36.0, 15.0, 24.0, 1.2, 0.000),
    "C6": (38.0, 16.0, 24.0, 1.3, 0.002),
    "C7": (34.0, 15.0, 25.0, 1.2, -0.002),
    "C8": (31.0, 14.0, 27.0, 0.8, -0.004),
    "C9": (34.0, 11.0, 29.0, 1.0, -0.002),
}

# Outcomes whose 2024 cross-sectional model is exposed by truth() (the main outcomes).
TRUTH = (
    "N15507",
    "N15504",
    "N15428",
    "N15508",
    "N17445",
    "U21468",
    "N31807",
    "N00097",
    "N11800",
    "N00957",
)

# Liknande kommuner: area word (analys.stats.peers.SIMILAR_AREA values) -> id code, drivers.
LIKNANDE = {
    "övergripande": ("OV", ("N01982", "N00906", "N02926", "logN02937", "N01960", "logN01951")),
    "förskola": ("FS", ("N01994", "N01982", "N00906", "logN02937", "N02926")),
    "grundskola": ("GR", ("N15816", "N02926", "N00906", "logN02937")),
    "gymnasieskola": ("GY", ("N17828", "N02926", "N00906", "logN02937")),
    "äldreomsorg": ("AO", ("N01813", "logN02937", "N00906", "logN01951")),
    "LSS": ("LS", ("N01994", "N01960", "logN01951", "N00906")),
    "IFO": ("IF", ("N02926", "N03937", "N00906", "N01982")),
}
# Liknande regioner: area word (analys.stats.peers.SIMILAR_REGION_AREA values and the fallback)
# -> id code, drivers (aggregated over each region's municipalities).
LIKNANDE_REGIONER = {
    "socioekonomi": ("SE", ("N01982", "N00906", "N02926", "logN02937", "N01960", "logN01951")),
    "hälso- och sjukvård (inkl läkemedel)": ("HS", ("N01813", "N00906", "logN02937", "logN01951")),
}
