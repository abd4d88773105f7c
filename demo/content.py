"""Texts and figures of the demo site: the Ville de Beaupré-sur-Loire (a fictional town).

Stories come from the seed documents: the Kfé du 33 scenario of the Fing study "Alléger la
ville" (a café for AMAP baskets with a ressourcerie, 6 000 € over two months, rewards of a
coffee, a dinner, a vegetable basket), the projects its founders had backed before (an app
mapping obstacles on footpaths and cycle lanes, a 3D printer for the médiathèque, picnic
tables in a park), the food cooperative, a travelling library (Bibliopousse), the Métropole
de Lille's "MEL Makers" call (40 applications, 10 coups de cœur) and Ulule Auvergne's
partner top-ups.

Rich text is plain HTML; bodies use a small notation turned into StreamField data by the
loader: ("h2", text), ("h3", text), ("p", html), ("quote", text, attribution).

Dates are offsets in days from the moment the loader runs, so statuses stay right.
Amounts are in euros, except `percent` which is the share of the goal the pledges reach.
"""

from django.utils.translation import gettext_noop

from offers.models import HelpOffer
from payments.rules import FundingModel
from questions.models import Question

TOWN = "Beaupré-sur-Loire"

PLATFORM = {
    "platform_name": "Coup de pouce",
    # The tagline is one field per site; the English catalog (locale/en) translates this one, which
    # base.html shows through {% translate %}.
    "tagline": gettext_noop("Le financement participatif des projets de Beaupré-sur-Loire"),
    "contact_email": "coupdepouce@beaupre-sur-loire.example",
    "contact_phone": "01 99 00 12 34",
    "contact_address": "Hôtel de ville — Direction de la communication\n1 place de la Mairie\n49990 Beaupré-sur-Loire",
    "commission_rate": 7,
    "max_goal": 20_000,
    "overfunding_cap_percent": 200,
    "max_campaign_days": 90,
}

# slug, French name, kind, English name. The commune comes first: the quartiers are part of it.
TERRITORIES = [
    ("beaupre-sur-loire", "Beaupré-sur-Loire", "commune", "Beaupré-sur-Loire"),
    ("centre-ville", "Centre-ville", "quartier", "Town centre"),
    ("les-tilleuls", "Les Tilleuls", "quartier", "Les Tilleuls"),
    ("quartier-de-la-gare", "Quartier de la Gare", "quartier", "Station district"),
    ("bords-de-loire", "Bords de Loire", "quartier", "Loire riverside"),
    ("la-croix-verte", "La Croix-Verte", "quartier", "La Croix-Verte"),
]

HOME = {
    "slug": "accueil",
    "title": "Accueil",
    "hero_title": "Des projets d'ici, financés par celles et ceux qui y vivent",
    "hero_text": (
        "Un café associatif, des tables de pique-nique, une bibliothèque qui roule : à Beaupré-sur-Loire, "
        "les habitants proposent, la Ville accompagne et chacun peut donner un coup de pouce."
    ),
    "hero_cta_text": "Découvrir les projets",
    "hero_image": ("Vue stylisée des toits de Beaupré-sur-Loire au soleil couchant", "#1f4e79", "#f4a259"),
    "body": [
        ("h2", "Un coup de pouce, comment ça marche ?"),
        (
            "p",
            "<p>Chaque projet affiche un <b>objectif</b> : s'il n'est pas atteint à la date de fin, personne "
            "n'est débité. Les porteurs proposent des contreparties et disent de quoi ils ont besoin en "
            "nature : des bras, du matériel, des conseils.</p>",
        ),
        (
            "quote",
            "La plateforme nous a rendus visibles dans tout le quartier, bien au-delà de nos proches.",
            "Alexis, cofondateur du Kfé du 33",
        ),
    ],
}

HOME_EN = {
    "slug": "home",
    "title": "Home",
    "hero_title": "Local projects, funded by the people who live here",
    "hero_text": (
        "A community café, picnic tables, a library on wheels: in Beaupré-sur-Loire residents propose, "
        "the town supports them and everyone can give a helping hand."
    ),
    "hero_cta_text": "Browse the projects",
    "body": [
        ("h2", "How does it work?"),
        (
            "p",
            "<p>Every project shows a <b>goal</b>: if it is not reached by the end date, nobody is charged. "
            "Project holders offer rewards and say what help in kind they need: hands, equipment, advice.</p>",
        ),
    ],
}

THEME_INDEX = {
    "slug": "thematiques",
    "title": "Thématiques",
    "intro": "<p>Les projets de Beaupré-sur-Loire, rangés par grandes thématiques de la vie locale.</p>",
}
THEME_INDEX_EN = {"slug": "themes", "title": "Themes", "intro": "<p>Beaupré-sur-Loire's projects, by theme.</p>"}

PROJECT_INDEX = {
    "slug": "projets",
    "title": "Projets",
    "intro": "<p>Tous les projets en cours de collecte, à venir et déjà financés. Filtrez par thématique ou par "
    "quartier.</p>",
}
PROJECT_INDEX_EN = {
    "slug": "projects",
    "title": "Projects",
    "intro": "<p>Every project: live, upcoming and already funded.</p>",
}

CALL_INDEX = {
    "slug": "appels-a-projets",
    "title": "Appels à projets",
    "intro": "<p>La Ville lance des appels à projets sur des sujets qui comptent pour le territoire. Les "
    "lauréats sont accompagnés et leur collecte mise en avant.</p>",
}

# Dark colours: white text on each reaches at least 4.5:1 (checked by the tests).
THEMES = [
    {
        "slug": "alimentation-circuits-courts",
        "title": "Alimentation et circuits courts",
        "colour": "#2d6a1f",
        "accent": "#e9b949",
        "pictogram": "food",
        "intro": "AMAP, épiceries coopératives, cafés de quartier : manger local et faire vivre les producteurs "
        "des bords de Loire.",
        "body": [
            ("h2", "Manger mieux, plus près"),
            (
                "p",
                "<p>Les circuits courts rapprochent les habitants des maraîchers et des éleveurs du "
                "territoire. Ils ont besoin de lieux : points de distribution, cuisines partagées, "
                "épiceries.</p>",
            ),
            ("p", "<p>La Ville met cette thématique à la Une pour aider ces projets à trouver leurs soutiens.</p>"),
        ],
    },
    {
        "slug": "mobilite",
        "title": "Mobilité",
        "colour": "#1f5fa8",
        "accent": "#7fd1c7",
        "pictogram": "mobility",
        "intro": "Marcher, pédaler, livrer autrement : des projets pour circuler facilement et en sécurité.",
        "body": [
            ("h2", "Une ville plus facile à parcourir"),
            (
                "p",
                "<p>Ateliers de réparation de vélos, triporteurs de livraison, signalement des obstacles sur "
                "les trottoirs : les habitants connaissent leurs rues mieux que personne.</p>",
            ),
        ],
    },
    {
        "slug": "culture",
        "title": "Culture",
        "colour": "#7a2e8c",
        "accent": "#f2a65a",
        "pictogram": "culture",
        "intro": "Lire, créer, faire la fête : la culture au plus près des quartiers.",
        "body": [
            ("h2", "La culture dans la rue et les quartiers"),
            (
                "p",
                "<p>Fresques, festivals, lecture itinérante : ces projets font sortir la culture des murs et "
                "vont à la rencontre de celles et ceux qui en sont loin.</p>",
            ),
        ],
    },
    {
        "slug": "solidarite",
        "title": "Solidarité",
        "colour": "#a8232f",
        "accent": "#f6c177",
        "pictogram": "solidarity",
        "intro": "Entraide, inclusion, lien entre générations : des projets qui ne laissent personne de côté.",
        "body": [
            ("h2", "Faire ensemble"),
            (
                "p",
                "<p>Un café numérique pour les aînés, une coopérative alimentaire accessible, des ateliers "
                "gratuits : la solidarité se construit au coin de la rue.</p>",
            ),
        ],
    },
    {
        "slug": "nature-en-ville",
        "title": "Nature en ville",
        "colour": "#1d6b5a",
        "accent": "#b5d99c",
        "pictogram": "nature",
        "intro": "Parcs, potagers, nichoirs : faire une place au vivant dans nos rues et nos écoles.",
        "body": [
            ("h2", "Plus de vert, plus près"),
            (
                "p",
                "<p>Tables de pique-nique, jardins partagés, hôtels à insectes : des projets modestes qui "
                "changent la vie d'un parc ou d'une cour d'école.</p>",
            ),
        ],
    },
    {
        "slug": "numerique",
        "title": "Numérique",
        "colour": "#3d3f8f",
        "accent": "#6fc3df",
        "pictogram": "digital",
        "intro": "Fabriquer, apprendre, partager des données : le numérique au service de la vie locale.",
        "body": [
            ("h2", "Un numérique utile et ouvert"),
            (
                "p",
                "<p>Imprimante 3D en libre accès, applications citoyennes, médiation numérique : des outils "
                "partagés, pensés avec leurs utilisateurs.</p>",
            ),
        ],
    },
]

THEME_EN = {
    "source": "alimentation-circuits-courts",
    "slug": "food-short-supply-chains",
    "title": "Food and short supply chains",
    "intro": "Community-supported agriculture, cooperative grocery shops, neighbourhood cafés: eat local and "
    "support the Loire valley's growers.",
    "body": [
        ("h2", "Eating better, closer to home"),
        (
            "p",
            "<p>Short supply chains bring residents closer to the local market gardeners and farmers. They need "
            "places: pick-up points, shared kitchens, grocery shops.</p>",
        ),
    ],
}

CALLS = [
    {
        "slug": "makers-economie-circulaire",
        "title": "Makers de Beaupré : fabriquer l'économie circulaire",
        "summary": "Réparer, réemployer, fabriquer local : la Ville cherche les makers du territoire. Dix coups de "
        "cœur seront accompagnés jusqu'à leur collecte sur Coup de pouce.",
        "opens": -20,
        "closes": 40,
        "budget": 50_000,
        "themes": ["numerique", "alimentation-circuits-courts", "solidarite"],
        "colour": "#3d3f8f",
        "accent": "#f2c14e",
        "image_title": "Établi stylisé d'un atelier de makers, outils et pièces de réemploi",
        "body": [
            ("h2", "Pourquoi cet appel ?"),
            (
                "p",
                "<p>Ateliers de réparation, fablabs, ressourceries, créateurs qui travaillent des matériaux de "
                "récupération : l'économie circulaire se fabrique d'abord à l'échelle d'un quartier. Cet appel "
                "s'inspire de « MEL Makers », lancé par la Métropole européenne de Lille avec KissKissBankBank : "
                "40 candidatures, 10 coups de cœur choisis par un jury, et 9 projets sur 10 financés par plus de "
                "900 contributeurs.</p>",
            ),
            ("h2", "Ce que la Ville propose aux lauréats"),
            (
                "p",
                "<ul><li>un accompagnement à la préparation de la collecte (vidéo, contreparties, "
                "communication) ;</li><li>la mise à la Une de leur projet sur Coup de pouce ;</li><li>un "
                "abondement des partenaires, proportionnel aux dons des habitants ;</li><li>l'accès aux "
                "machines du FabLab de la Loire pendant six mois.</li></ul>",
            ),
            ("h2", "Calendrier"),
            (
                "p",
                "<p>Dépôt des candidatures jusqu'à la date de clôture, audition des présélectionnés par le "
                "jury trois semaines plus tard, annonce des 10 coups de cœur et lancement des collectes dans la "
                "foulée.</p>",
            ),
        ],
        "eligibility": "<ul><li>Porteurs installés à Beaupré-sur-Loire ou dans une commune voisine : "
        "particuliers, associations, entreprises de moins de 10 salariés.</li><li>Un projet qui réduit les "
        "déchets, prolonge la vie des objets ou valorise des matières locales.</li><li>Un objectif de collecte "
        "compris entre 1 000 € et 20 000 €.</li></ul>",
        "criteria": [
            ("Caractère circulaire", "Réemploi, réparation, matériaux locaux ou recyclés.", 3),
            ("Intérêt local", "Utilité pour les habitants et ancrage dans un quartier.", 3),
            ("Faisabilité", "Budget réaliste, calendrier, compétences réunies.", 2),
            ("Mobilisation des habitants", "Capacité à fédérer des contributeurs et des bénévoles.", 2),
            ("Accessibilité et inclusion", "Un projet ouvert à tous les publics.", 1),
        ],
        "partners": [
            ("Ville de Beaupré-sur-Loire", ""),
            ("FabLab de la Loire", ""),
            ("Ressourcerie Le Grenier", ""),
            ("Chambre de métiers et de l'artisanat", ""),
            ("Université populaire des Bords de Loire", ""),
        ],
    },
    {
        "slug": "quartiers-a-vivre-2025",
        "title": "Quartiers à vivre 2025",
        "summary": "De petits aménagements imaginés par les habitants pour rendre les parcs, les places et les "
        "rues plus agréables. Appel clos : découvrez les projets lauréats.",
        "opens": -300,
        "closes": -240,
        "budget": 20_000,
        "themes": ["nature-en-ville", "culture"],
        "colour": "#1d6b5a",
        "accent": "#f4d35e",
        "image_title": "Place de quartier stylisée avec bancs, arbres et guirlandes",
        "body": [
            ("h2", "Un appel pour les espaces publics"),
            (
                "p",
                "<p>Bancs, tables, fresques, jardinières : 27 candidatures ont été déposées, le jury en a "
                "retenu 6. Leurs collectes ont été abondées par la Ville à hauteur d'un euro pour deux euros "
                "donnés par les habitants.</p>",
            ),
            ("h2", "Les lauréats"),
            (
                "p",
                "<p>Parmi eux, les tables de pique-nique du parc Victor-Hugo et la fresque du pont de Loire, "
                "toutes deux financées.</p>",
            ),
        ],
        "eligibility": "<ul><li>Habitants, conseils de quartier et associations de Beaupré-sur-Loire.</li>"
        "<li>Un aménagement durable de l'espace public, validé par les services techniques.</li></ul>",
        "criteria": [
            ("Usage par les habitants", "Le projet répond à un besoin exprimé dans le quartier.", 3),
            ("Qualité du lieu", "Intégration paysagère, entretien, durabilité.", 2),
            ("Coût maîtrisé", "Un budget cohérent avec l'aménagement proposé.", 1),
        ],
        "partners": [("Ville de Beaupré-sur-Loire", ""), ("Bailleur Loire Habitat", "")],
        # Read by demo.applications, which adds the laureates.
        "results_published": True,
    },
]

# --- Campaigns --------------------------------------------------------------------------------
# start: days from now; days: duration; percent: share of the goal pledged (None: no pledge yet).
# The organisations the site issues tax receipts for (receipts.Beneficiary), by key. Their SIREN
# passes the Luhn check but belongs to nobody: the town is fictional.
BENEFICIARIES = {
    "ville": {
        "legal_name": "Ville de Beaupré-sur-Loire",
        "street": "Hôtel de ville, 1 place de la Mairie",
        "postal_code": "49990",
        "city": "Beaupré-sur-Loire",
        "siren": "219999018",
        "rna": "",
        "purpose": "Commune. Projets d'intérêt général de la vie locale : culture, lecture publique, "
        "éducation populaire, environnement.",
        "legal_ground": "local_authority",
        "legal_ground_details": "Délibération du conseil municipal du 12 mars 2026",
        "signatory_name": "Hélène Garnier",
        "signatory_title": "Maire",
        "issues_receipts": True,
    },
    "kfe": {
        "legal_name": "Association Le Kfé du 33",
        "street": "33 rue des Tilleuls",
        "postal_code": "49990",
        "city": "Beaupré-sur-Loire",
        "siren": "",
        "rna": "W491012345",
        "purpose": "Café associatif ouvert à tous, lieu de distribution de l'AMAP et ressourcerie : lien social, "
        "alimentation durable et réemploi des objets.",
        "legal_ground": "general_interest",
        "legal_ground_details": "Association loi 1901 d'intérêt général, gestion désintéressée",
        "signatory_name": "Alexis Morel",
        "signatory_title": "Président",
        "issues_receipts": True,
    },
}
# Streets of the demo donors' postal addresses (receipts).
DONOR_STREETS = [
    "rue des Tilleuls",
    "quai de Loire",
    "avenue Victor-Hugo",
    "rue de la Gare",
    "rue Jules-Ferry",
    "chemin des Vignes",
]

# rewards: (min €, title, description, stock or None); sold_out: index of the reward whose stock
# is fully taken. offline: (name, source, amount €) gifts recorded at the town hall.
# Tax receipts: beneficiary (a key of BENEFICIARIES), reward_values (€, as text, one per reward:
# what each reward is worth), receipts (how many paid online pledges ask for a receipt) and
# offline_receipts (names of the offline donors who asked for one).

CAMPAIGNS = [
    {
        "slug": "kfe-du-33",
        "title": "Le Kfé du 33, un lieu convivial pour les paniers de l'AMAP",
        "summary": "Alexis et Clément ouvrent aux Tilleuls un café associatif qui accueillera la distribution des "
        "paniers de l'AMAP et une ressourcerie pour réparer et revaloriser les objets.",
        "holder_name": "Association Le Kfé du 33 (Alexis et Clément)",
        "holder_kind": "association",
        "goal": 6000,
        "start": -40,
        "days": 61,
        "percent": 92,
        "themes": ["alimentation-circuits-courts", "solidarite"],
        "territory": "les-tilleuls",
        "tax_deductible": True,
        "beneficiary": "kfe",
        # Within a quarter of each reward's minimum, except the card (from 80 €) and the evening
        # (120 €: over the counterpart cap, never a receipt).
        "reward_values": ["1.00", "3.50", "6.00", "20.00", "120.00"],
        "offline_receipts": ["Mme Josiane Perrin"],
        "colour": "#2d6a1f",
        "accent": "#e9b949",
        "image_title": "Devanture stylisée d'un café de quartier avec des cagettes de légumes",
        "story": [
            ("h2", "Un café, une AMAP, une ressourcerie"),
            (
                "p",
                "<p>Au 33 rue des Tilleuls, l'ancienne mercerie est vide depuis trois ans. Nous voulons en faire "
                "un café convivial, ouvert à tous, qui deviendra le lieu de distribution des paniers de l'AMAP "
                "dont Alexis est adhérent.</p>",
            ),
            (
                "p",
                "<p>Au fond de la boutique, une <b>ressourcerie</b> récupérera les objets dont vous ne voulez "
                "plus pour les réparer et leur donner une seconde vie.</p>",
            ),
            ("h2", "À quoi servira votre don ?"),
            (
                "p",
                "<p>Notre budget n'est pas très élevé, mais il nous manque quelques milliers d'euros : "
                "<b>6 000 €</b> pour le comptoir, la cuisine aux normes et l'établi de la ressourcerie. Au-delà, "
                "le café pourra proposer plus de services et de confort.</p>",
            ),
            ("quote", "Plusieurs voisins attendent avec impatience un lieu de proximité comme celui-ci.", "Clément"),
        ],
        "rewards": [
            (5, "Un café équitable offert", "Votre premier café au comptoir, servi avec le sourire.", None),
            (15, "Un repas à la soirée de lancement", "Une place au repas convivial de l'inauguration.", 30),
            (25, "Un panier de légumes", "Un panier de l'AMAP, récolté chez nos maraîchers partenaires.", 40),
            (50, "Carte de fidélité « Ami du Kfé »", "Dix cafés et votre nom sur le mur des soutiens.", None),
            (150, "Privatisez le Kfé", "Le café rien que pour vous, un soir, pour 20 personnes.", 5),
        ],
        "sold_out": 1,
        "stretch": [
            (8000, "Un coin enfants avec jeux et livres"),
            (10000, "Un vélo-cargo pour livrer les paniers aux voisins âgés"),
        ],
        "needs": [
            ("volunteering", "Des bras pour l'aménagement et la décoration du café", 8),
            ("skills", "Des conseils pour structurer notre association", 2),
            ("equipment", "Le prêt d'une camionnette pour un déménagement", 1),
        ],
        "faqs": [
            ("Quand le café ouvrira-t-il ?", "Trois mois après la fin de la collecte, si l'objectif est atteint."),
            ("Faut-il être adhérent de l'AMAP ?", "Non : le café est ouvert à tous, l'AMAP y distribue ses paniers."),
            ("Mon don est-il déductible ?", "Oui, l'association est d'intérêt général : vous recevrez un reçu fiscal."),
        ],
        "offline": [("Menuiserie Dufour", "transfer", 300), ("Mme Josiane Perrin", "cheque", 50)],
        "updates": [
            {
                "slug": "le-palier-est-presque-atteint",
                "title": "Le palier est presque atteint !",
                "days_ago": 3,
                "intro": "Plus de 90 % de l'objectif : merci à vous tous.",
                "body": [
                    (
                        "p",
                        "<p>Une PME du quartier, la Menuiserie Dufour, nous a fait un don et propose de nous "
                        "prêter de l'équipement. La Ville nous propose aussi un accompagnement pour structurer "
                        "l'activité. Encore un effort !</p>",
                    )
                ],
            },
            {
                "slug": "visite-du-local",
                "title": "Visite du local samedi",
                "days_ago": 18,
                "intro": "Venez découvrir le 33 rue des Tilleuls avant les travaux.",
                "body": [("p", "<p>Rendez-vous samedi à 11 h, café offert aux curieux.</p>")],
            },
        ],
        "english": {
            "slug": "kfe-du-33",
            "title": "Le Kfé du 33, a friendly café for the AMAP baskets",
            "summary": "Alexis and Clément are opening a community café in Les Tilleuls: a pick-up point for the "
            "AMAP's vegetable baskets, with a repair and reuse corner.",
            "story": [
                ("h2", "A café, an AMAP, a reuse shop"),
                (
                    "p",
                    "<p>At 33 rue des Tilleuls, the old haberdashery has been empty for three years. We want to "
                    "turn it into a friendly café, open to everyone, where the AMAP hands out its baskets.</p>",
                ),
                ("h2", "What will your gift pay for?"),
                (
                    "p",
                    "<p><b>6,000 €</b> for the counter, a kitchen up to standard and the repair workbench.</p>",
                ),
            ],
            "rewards": [
                ("A fair-trade coffee", "Your first coffee at the counter."),
                ("A seat at the launch dinner", "A place at the opening night's dinner."),
                ("A vegetable basket", "An AMAP basket from our partner growers."),
                ("“Friend of the Kfé” card", "Ten coffees and your name on the supporters' wall."),
                ("Book the Kfé", "The café all to yourself for an evening, for 20 people."),
            ],
            "stretch": [
                "A children's corner with games and books",
                "A cargo bike to deliver baskets to elderly neighbours",
            ],
            "needs": [
                "Hands to fit out and decorate the café",
                "Advice on setting up our association",
                "A van on loan for a move",
            ],
            "faqs": [
                ("When will the café open?", "Three months after the campaign ends, if the goal is reached."),
                ("Do I need to be an AMAP member?", "No: the café is open to everyone."),
                ("Is my gift tax-deductible?", "Yes, you will receive a tax receipt."),
            ],
        },
    },
    {
        "slug": "tables-de-pique-nique-parc-victor-hugo",
        "title": "Des tables de pique-nique dans le parc Victor-Hugo",
        "summary": "Six tables en bois local, dont deux accessibles en fauteuil, pour pique-niquer, jouer aux "
        "cartes ou faire ses devoirs à l'ombre des platanes.",
        "holder_name": "Comité des fêtes des Bords de Loire",
        "holder_kind": "association",
        "goal": 3500,
        "start": -150,
        "days": 45,
        "percent": 128,
        "themes": ["nature-en-ville"],
        "territory": "bords-de-loire",
        "tax_deductible": True,
        "source_call": "quartiers-a-vivre-2025",
        "colour": "#1d6b5a",
        "accent": "#f4d35e",
        "image_title": "Parc stylisé avec des tables de pique-nique sous les arbres",
        "story": [
            ("h2", "Le parc n'a pas une seule table"),
            (
                "p",
                "<p>Le parc Victor-Hugo est le plus fréquenté des Bords de Loire, mais on y pique-nique assis "
                "dans l'herbe. Nous proposons d'installer six tables fabriquées par un menuisier du "
                "département, en chêne non traité.</p>",
            ),
            (
                "p",
                "<p>Lauréat de l'appel « Quartiers à vivre 2025 », le projet est abondé par la Ville.</p>",
            ),
        ],
        "rewards": [
            (10, "Votre nom sur le panneau des donateurs", "Gravé à l'entrée du parc.", None),
            (30, "Un pique-nique d'inauguration", "Panier garni de produits locaux le jour de l'inauguration.", 50),
            (100, "Une plaque sur une table", "Le message de votre choix sur une petite plaque en laiton.", 6),
        ],
        "stretch": [(4500, "Deux tables de plus près de l'aire de jeux")],
        "needs": [("volunteering", "Des bénévoles pour le chantier de pose", 10)],
        "faqs": [("Qui entretiendra les tables ?", "Les services des espaces verts de la Ville.")],
        "offline": [("Conseil de quartier des Bords de Loire", "cheque", 200)],
        "updates": [
            {
                "slug": "les-tables-sont-installees",
                "title": "Les tables sont installées !",
                "days_ago": 60,
                "intro": "Huit tables au lieu de six, grâce au palier supplémentaire.",
                "body": [("p", "<p>Merci aux 14 bénévoles du chantier de pose et à tous les contributeurs.</p>")],
            }
        ],
    },
    {
        "slug": "imprimante-3d-mediatheque",
        "title": "Une imprimante 3D pour la médiathèque Louise-Michel",
        "summary": "Un espace de fabrication numérique en accès libre à la médiathèque : imprimante 3D, ateliers "
        "pour les ados et réparation de petites pièces.",
        "holder_name": "Médiathèque Louise-Michel — Ville de Beaupré-sur-Loire",
        "holder_kind": "collectivite",
        "goal": 2400,
        "start": -120,
        "days": 40,
        "percent": 100,
        "themes": ["numerique", "culture"],
        "territory": "quartier-de-la-gare",
        "tax_deductible": True,
        "beneficiary": "ville",
        # The workshop is worth exactly a quarter of its 40 €: a gift of 40 € keeps its receipt.
        "reward_values": ["1.50", "10.00"],
        "receipts": 6,
        "colour": "#3d3f8f",
        "accent": "#6fc3df",
        "image_title": "Imprimante 3D stylisée entourée de livres et de pièces imprimées",
        "story": [
            ("h2", "Fabriquer à la médiathèque"),
            (
                "p",
                "<p>La médiathèque accueille déjà un club de code. Avec une imprimante 3D, les jeunes "
                "pourront passer du dessin à l'objet, et chacun pourra imprimer une pièce de rechange plutôt que "
                "jeter un appareil.</p>",
            ),
        ],
        "rewards": [
            (10, "Un marque-page imprimé en 3D", "Fabriqué pendant le premier atelier.", None),
            (40, "Une initiation à l'impression 3D", "Deux heures d'atelier, pour vous ou vos enfants.", 24),
        ],
        "stretch": [],
        "needs": [("skills", "Des bénévoles pour animer les ateliers du samedi", 4)],
        "faqs": [("Faut-il être inscrit à la médiathèque ?", "Non, l'espace est ouvert à tous.")],
        "offline": [("Amicale des lecteurs", "cash", 120)],
        "updates": [
            {
                "slug": "premier-atelier",
                "title": "Premier atelier d'impression 3D",
                "days_ago": 45,
                "intro": "Douze adolescents ont imprimé leur premier objet.",
                "body": [("p", "<p>Prochaine séance le premier samedi du mois, inscription à l'accueil.</p>")],
            }
        ],
    },
    {
        "slug": "appli-obstacles-trottoirs-pistes-cyclables",
        "title": "Signale ta rue : une appli pour recenser les obstacles",
        "summary": "Deux étudiants développent une application libre pour signaler les obstacles sur les trottoirs "
        "et les pistes cyclables : poubelles, travaux, voitures garées, bordures trop hautes.",
        "holder_name": "Inès Moreau et Yanis Benali, étudiants en design et en informatique",
        "holder_kind": "individual",
        "goal": 4500,
        "start": -100,
        "days": 45,
        "percent": 112,
        "themes": ["mobilite", "numerique"],
        "territory": "beaupre-sur-loire",
        "tax_deductible": False,
        "colour": "#1f5fa8",
        "accent": "#7fd1c7",
        "image_title": "Plan de ville stylisé avec des repères d'obstacles sur les trottoirs",
        "story": [
            ("h2", "Les trottoirs, vus à hauteur de poussette"),
            (
                "p",
                "<p>Une poussette, un fauteuil, un vélo : chaque obstacle compte. L'application permet de le "
                "photographier et de le situer en deux gestes ; les signalements sont publiés en données "
                "ouvertes et transmis aux services techniques.</p>",
            ),
        ],
        "rewards": [
            (5, "Votre nom dans les remerciements de l'appli", "", None),
            (20, "Un atelier de cartographie", "Une balade pour apprendre à cartographier votre quartier.", None),
            (60, "Testeur de la première version", "Accès anticipé et un t-shirt « Signale ta rue ».", 30),
        ],
        "stretch": [(6000, "Une version en audio-description pour les personnes aveugles")],
        "needs": [("skills", "Des testeurs en fauteuil roulant ou malvoyants", 6)],
        "faqs": [("L'application sera-t-elle gratuite ?", "Oui, gratuite et sous licence libre.")],
        "offline": [],
        "updates": [
            {
                "slug": "version-1-disponible",
                "title": "La version 1 est disponible",
                "days_ago": 20,
                "intro": "Déjà 350 obstacles signalés, dont 120 déjà traités par la Ville.",
                "body": [("p", "<p>Téléchargez-la et dites-nous ce qui manque.</p>")],
            }
        ],
    },
    {
        "slug": "biblio-roulotte",
        "title": "La Biblio-Roulotte, bibliothèque itinérante des quartiers",
        "summary": "Un triporteur aménagé en bibliothèque qui s'arrête au pied des immeubles de la Croix-Verte "
        "pour prêter des livres et lire des histoires, gratuitement.",
        "holder_name": "Association Lire à Beaupré",
        "holder_kind": "association",
        "goal": 4800,
        "start": -42,
        "days": 45,
        "percent": 74,
        "themes": ["culture", "solidarite"],
        "territory": "la-croix-verte",
        "tax_deductible": True,
        "colour": "#7a2e8c",
        "accent": "#f2a65a",
        "image_title": "Triporteur stylisé chargé de livres au pied des immeubles",
        "story": [
            ("h2", "Le livre vient à vous"),
            (
                "p",
                "<p>« Lire, savoir lire, aimer lire, c'est le premier pas vers la liberté. » Inspirés par le "
                "Bibliopousse d'Antsirabe, nous voulons rendre la lecture accessible à tous, enfants et "
                "adultes, là où la médiathèque est loin.</p>",
            ),
            ("h2", "Plus que quelques jours"),
            ("p", "<p>Il nous manque un quart de l'objectif : chaque don compte.</p>"),
        ],
        "rewards": [
            (10, "Une carte postale illustrée", "Dessinée par les enfants du quartier.", None),
            (25, "Un livre jeunesse offert à une école", "Nous le déposons en votre nom.", None),
            (60, "Une lecture à domicile", "Une conteuse vient lire chez vous ou dans votre hall.", 10),
        ],
        "stretch": [(6000, "Des livres en gros caractères et des livres audio")],
        "needs": [
            ("volunteering", "Des lecteurs et lectrices bénévoles le mercredi", 6),
            ("venue", "Un garage pour ranger le triporteur la nuit", 1),
        ],
        "faqs": [("Faut-il s'inscrire pour emprunter ?", "Non, un prénom suffit.")],
        "offline": [("Mme Ginette Robin", "cash", 20)],
        "updates": [],
    },
    {
        "slug": "la-cagette-supermarche-cooperatif",
        "title": "La Cagette, supermarché coopératif du quartier de la Gare",
        "summary": "Un supermarché géré par ses membres : trois heures de travail par mois, des produits locaux "
        "30 % moins chers, un atelier vélo et une cuisine partagée.",
        "holder_name": "SCIC La Cagette de Beaupré",
        "holder_kind": "company",
        "goal": 15000,
        "start": -25,
        "days": 70,
        "percent": 57,
        "themes": ["alimentation-circuits-courts", "solidarite"],
        "territory": "quartier-de-la-gare",
        "tax_deductible": False,
        "colour": "#8a4b08",
        "accent": "#f6d365",
        "image_title": "Étals stylisés de fruits et légumes dans une épicerie coopérative",
        "story": [
            ("h2", "Mieux manger, moins cher, ensemble"),
            (
                "p",
                "<p>Le quartier de la Gare est le plus mal desservi en commerces de proximité. Comme à "
                "Brooklyn ou à Paris, les membres de La Cagette travaillent quelques heures par mois et "
                "accèdent à des produits de qualité à prix réduits.</p>",
            ),
            (
                "p",
                "<p>La collecte finance les chambres froides et les premières commandes aux producteurs, "
                "dont une quinzaine se sont déjà déclarés intéressés.</p>",
            ),
        ],
        "rewards": [
            (20, "Un sac cabas La Cagette", "En coton bio, sérigraphié dans le quartier.", None),
            (50, "Une part de coopérateur", "Devenez membre de la SCIC.", None),
            (100, "Membre fondateur", "Une part, le cabas et votre nom sur le mur de l'entrée.", 50),
            (300, "Un atelier cuisine pour 8", "Avec une cheffe du quartier, dans la cuisine partagée.", 4),
        ],
        "stretch": [(18000, "Un atelier de réparation de vélos dans l'arrière-boutique")],
        "needs": [
            ("volunteering", "Des coopérateurs pour les permanences d'ouverture", 40),
            ("equipment", "Une balance de commerce et des étagères", 2),
        ],
        "faqs": [
            ("Faut-il être membre pour faire ses courses ?", "Oui, après une période d'essai de deux mois."),
            ("Où sera le magasin ?", "Rue Pierre-Sémard, dans l'ancien entrepôt de la SNCF."),
        ],
        "offline": [("Boulangerie Au Pain de la Gare", "transfer", 500)],
        "updates": [
            {
                "slug": "cinquante-pourcent",
                "title": "Plus de la moitié de l'objectif",
                "days_ago": 4,
                "intro": "Merci aux 150 premiers contributeurs !",
                "body": [("p", "<p>Réunion d'information mardi à 19 h à la Maison des associations.</p>")],
            }
        ],
    },
    {
        "slug": "potager-sur-le-toit-du-gymnase",
        "title": "Un potager sur le toit du gymnase Jean-Bouin",
        "summary": "Transformer le toit plat du gymnase en potager partagé, arrosé par l'eau de pluie, pour les "
        "écoles et les habitants du Centre-ville.",
        "holder_name": "Association Les Toits verts",
        "holder_kind": "association",
        "goal": 9000,
        "start": -80,
        "days": 60,
        "percent": 41,
        "themes": ["nature-en-ville", "alimentation-circuits-courts"],
        "territory": "centre-ville",
        "tax_deductible": True,
        "colour": "#1d6b5a",
        "accent": "#b5d99c",
        "image_title": "Toit de gymnase stylisé couvert de bacs potagers",
        "story": [
            ("h2", "Cultiver au-dessus des têtes"),
            (
                "p",
                "<p>Le toit du gymnase offre 600 m² de soleil. Nous voulions y installer des bacs de culture "
                "et un récupérateur d'eau de pluie.</p>",
            ),
            ("h2", "Et maintenant ?"),
            (
                "p",
                "<p>L'objectif n'a pas été atteint : personne n'a été débité. Nous retravaillons le projet "
                "avec les services techniques pour une version plus modeste.</p>",
            ),
        ],
        "rewards": [
            (15, "Un sachet de graines du potager", "", None),
            (40, "Une récolte de saison", "Un panier de légumes du toit.", 60),
        ],
        "stretch": [],
        "needs": [("skills", "Un ingénieur structure pour vérifier la charge du toit", 1)],
        "faqs": [("Le toit peut-il supporter le poids ?", "Une étude de structure était prévue avec la collecte.")],
        "offline": [],
        "updates": [],
    },
    {
        "slug": "atelier-velo-solidaire",
        "title": "La Roue libre, atelier vélo solidaire",
        "summary": "Un atelier où l'on apprend à réparer son vélo, avec des vélos remis en état pour les "
        "personnes qui en ont besoin pour aller travailler.",
        "holder_name": "Association La Roue libre",
        "holder_kind": "association",
        "goal": 5500,
        "start": 6,
        "days": 45,
        "percent": None,
        "themes": ["mobilite", "solidarite"],
        "territory": "la-croix-verte",
        "tax_deductible": True,
        "colour": "#1f5fa8",
        "accent": "#f4a259",
        "image_title": "Atelier de réparation de vélos stylisé, roues et outils au mur",
        "story": [
            ("h2", "Réparer plutôt que jeter"),
            (
                "p",
                "<p>Des dizaines de vélos dorment dans les caves de la Croix-Verte. Avec des outils, un local "
                "et des bénévoles, ils peuvent rouler à nouveau.</p>",
            ),
        ],
        "rewards": [
            (10, "Une révision de votre vélo", "", None),
            (50, "Un cours de mécanique", "Deux heures pour apprendre à régler freins et dérailleur.", 20),
        ],
        "stretch": [],
        "needs": [
            ("equipment", "Des pieds d'atelier et des outils", 4),
            ("venue", "Un local au rez-de-chaussée", 1),
        ],
        "faqs": [],
        "offline": [],
        "updates": [],
    },
    {
        "slug": "festival-toutes-les-couleurs-de-la-gare",
        "title": "Festival « Toutes les couleurs de la Gare »",
        "summary": "Un week-end de musiques, de cuisines et de danses du monde sur le parvis de la gare, préparé "
        "par les associations du quartier.",
        "holder_name": "Collectif des associations de la Gare",
        "holder_kind": "association",
        "goal": 7000,
        "start": 14,
        "days": 40,
        "percent": None,
        "themes": ["culture"],
        "territory": "quartier-de-la-gare",
        "tax_deductible": False,
        "colour": "#7a2e8c",
        "accent": "#ff7b54",
        "image_title": "Scène de festival stylisée avec guirlandes et instruments",
        "story": [
            ("h2", "Deux jours de fête"),
            ("p", "<p>Concerts, repas partagé, ateliers de danse : une fête gratuite, ouverte à tous.</p>"),
        ],
        "rewards": [
            (10, "Un badge du festival", "", None),
            (30, "Un repas du monde", "Une assiette préparée par les cuisinières du quartier.", 100),
        ],
        "stretch": [(9000, "Une scène pour les jeunes talents du quartier")],
        "needs": [("volunteering", "Des bénévoles pour l'accueil et le rangement", 25)],
        "faqs": [],
        "offline": [],
        "updates": [],
    },
    {
        "slug": "nichoirs-et-hotels-a-insectes",
        "title": "Nichoirs et hôtels à insectes pour l'école Jules-Ferry",
        "summary": "Les élèves fabriquent des nichoirs et des hôtels à insectes avec un menuisier, puis observent "
        "les mésanges et les abeilles sauvages dans la cour.",
        "holder_name": "Parents d'élèves de l'école Jules-Ferry",
        "holder_kind": "association",
        "goal": 1800,
        "start": -28,
        "days": 30,
        "percent": 96,
        "themes": ["nature-en-ville"],
        "territory": "centre-ville",
        "tax_deductible": False,
        "colour": "#2d6a1f",
        "accent": "#f7d488",
        "image_title": "Nichoirs et hôtel à insectes stylisés dans une cour d'école",
        "story": [
            ("h2", "La biodiversité dans la cour"),
            (
                "p",
                "<p>Bois de récupération, ateliers en classe, carnets d'observation : un projet qui dure toute "
                "l'année scolaire.</p>",
            ),
        ],
        "rewards": [
            (10, "Un dessin d'élève", "", None),
            (35, "Un nichoir pour votre jardin", "Fabriqué par les élèves.", 20),
        ],
        "stretch": [],
        "needs": [("equipment", "Des chutes de bois non traité", 1)],
        "faqs": [],
        "offline": [("Coopérative scolaire", "cheque", 150)],
        "updates": [],
    },
    {
        "slug": "triporteurs-patisserie-michelet",
        "title": "Deux triporteurs pour livrer les pâtisseries à vélo",
        "summary": "La pâtisserie Michelet remplace sa camionnette par deux triporteurs électriques pour livrer "
        "les commerces et les particuliers du Centre-ville.",
        "holder_name": "Pâtisserie Michelet",
        "holder_kind": "company",
        "goal": 7800,
        "start": -15,
        "days": 45,
        "percent": 38,
        "funding_model": FundingModel.KEEP_IT_ALL,
        "themes": ["mobilite", "alimentation-circuits-courts"],
        "territory": "centre-ville",
        "tax_deductible": False,
        "colour": "#8a4b08",
        "accent": "#ffd6a5",
        "image_title": "Triporteur stylisé chargé de boîtes à gâteaux dans une rue pavée",
        "story": [
            ("h2", "Livrer sans moteur thermique"),
            (
                "p",
                "<p>Chaque matin, notre camionnette fait dix allers-retours de quelques centaines de mètres. "
                "Deux triporteurs feront mieux, sans bruit ni fumée. Collecte « tout ce qui est collecté "
                "est gardé » : le premier triporteur sera acheté quel que soit le montant atteint.</p>",
            ),
        ],
        "rewards": [
            (8, "Un croissant et un café", "", None),
            (25, "Une boîte de macarons", "", None),
            (60, "Un gâteau d'anniversaire livré en triporteur", "", 40),
        ],
        "stretch": [],
        "needs": [],
        "faqs": [
            (
                "Que se passe-t-il si l'objectif n'est pas atteint ?",
                "La collecte est « tout ou partie » : les dons sont encaissés et le premier triporteur acheté.",
            )
        ],
        "offline": [],
        "updates": [],
    },
    {
        "slug": "fresque-du-pont-de-loire",
        "title": "La fresque du pont de Loire",
        "summary": "Quarante mètres de fresque sous le pont, peints par des artistes locaux et les jeunes du "
        "quartier, sur le thème de la Loire et de ses oiseaux.",
        "holder_name": "Collectif Les Murs parlent",
        "holder_kind": "association",
        "goal": 3200,
        "start": -130,
        "days": 50,
        "percent": 104,
        "themes": ["culture"],
        "territory": "bords-de-loire",
        "tax_deductible": True,
        "source_call": "quartiers-a-vivre-2025",
        "colour": "#7a2e8c",
        "accent": "#8ecae6",
        "image_title": "Fresque stylisée d'oiseaux de Loire sous les arches d'un pont",
        "story": [
            ("h2", "Un passage sombre devient une galerie"),
            (
                "p",
                "<p>Le passage sous le pont était évité le soir. Peint par trois artistes et vingt jeunes, il "
                "est devenu une promenade. Lauréat de l'appel « Quartiers à vivre 2025 ».</p>",
            ),
        ],
        "rewards": [
            (10, "Une carte postale de la fresque", "", None),
            (50, "Une sérigraphie signée", "Tirage limité sur papier recyclé.", 40),
        ],
        "stretch": [],
        "needs": [("volunteering", "Des bras pour préparer le mur", 12)],
        "faqs": [],
        "offline": [("Association des riverains du quai", "cheque", 100)],
        "updates": [],
    },
    {
        "slug": "cafe-numerique-seniors",
        "title": "Un café numérique pour les seniors",
        "summary": "Chaque semaine, un moment convivial pour apprendre à utiliser son téléphone, faire ses "
        "démarches en ligne et échanger avec ses petits-enfants en vidéo.",
        "holder_name": "Samia Haddad, médiatrice numérique",
        "holder_kind": "individual",
        "goal": 2500,
        "start": -5,
        "days": 50,
        "percent": 18,
        "themes": ["solidarite", "numerique"],
        "territory": "centre-ville",
        "tax_deductible": False,
        "colour": "#a8232f",
        "accent": "#f6c177",
        "image_title": "Tablette et tasses de café stylisées sur une table partagée",
        "story": [
            ("h2", "Personne ne doit rester à la porte du numérique"),
            (
                "p",
                "<p>Des tablettes prêtées, un café, de la patience : voilà la recette. La collecte finance six "
                "tablettes et une connexion pour la salle du foyer-logement.</p>",
            ),
        ],
        "rewards": [
            (10, "Un guide pratique imprimé", "Nos fiches pas à pas, en gros caractères.", None),
            (30, "Une séance pour un proche", "Offrez une séance individuelle à un parent ou un voisin.", None),
        ],
        "stretch": [],
        "needs": [("equipment", "Des tablettes ou téléphones inutilisés", 6)],
        "faqs": [],
        "offline": [],
        "updates": [],
    },
]

CAMPAIGN_EN = "kfe-du-33"

# --- Content pages -----------------------------------------------------------------------------

STANDARD_PAGES = [
    {
        "slug": "comment-ca-marche",
        "title": "Comment ça marche",
        "intro": "Proposer un projet, le soutenir, suivre ses nouvelles : tout ce qu'il faut savoir sur Coup de pouce.",
        "body": [
            ("h2", "1. Un habitant ou une association propose un projet"),
            (
                "p",
                "<p>Le porteur décrit son projet, fixe l'objectif (le palier à partir duquel le projet sera "
                "réalisé, au plus 20 000 €) et la durée de la collecte (au plus 90 jours). Il propose des "
                "contreparties et indique ses besoins en nature. L'équipe de la Ville relit chaque projet avant "
                "sa mise en ligne.</p>",
            ),
            ("h2", "2. Les habitants soutiennent"),
            (
                "p",
                "<p>Vous choisissez un montant et, si vous le souhaitez, une contrepartie. Votre carte est "
                "enregistrée mais <b>débitée uniquement si l'objectif est atteint</b>. Vous pouvez aussi donner "
                "par chèque ou en espèces à l'accueil de l'hôtel de ville, ou proposer votre aide : un coup de "
                "main, du matériel, des compétences.</p>",
            ),
            ("h2", "3. À la fin de la collecte"),
            (
                "p",
                "<p>Objectif atteint : les dons sont encaissés et reversés au porteur, déduction faite d'une "
                "commission de 7 % qui couvre les frais de paiement et le fonctionnement de la plateforme. "
                "Objectif non atteint : personne n'est débité. Les dons au-delà de 200 % de l'objectif ne sont "
                "plus acceptés.</p>",
            ),
            ("h2", "4. Après la collecte"),
            (
                "p",
                "<p>La page du projet reste en ligne : le porteur y publie des actualités, les contributeurs "
                "suivent la réalisation.</p>",
            ),
        ],
    },
    {
        "slug": "mentions-legales",
        "title": "Mentions légales",
        "intro": "Éditeur, hébergement et conditions d'utilisation du site Coup de pouce.",
        "body": [
            ("h2", "Éditeur"),
            (
                "p",
                "<p>Ville de Beaupré-sur-Loire, hôtel de ville, 1 place de la Mairie, 49990 "
                "Beaupré-sur-Loire. Téléphone : 01 99 00 12 34.</p><p>Directeur de la publication : le maire "
                "de Beaupré-sur-Loire.</p>",
            ),
            ("h2", "Hébergement"),
            ("p", "<p>Site de démonstration : hébergement à préciser lors de la mise en production.</p>"),
            ("h2", "Propriété intellectuelle"),
            (
                "p",
                "<p>Les textes et images publiés par les porteurs de projet restent leur propriété. Les "
                "contenus éditoriaux de la Ville sont réutilisables sous licence ouverte Etalab 2.0, sauf "
                "mention contraire.</p>",
            ),
            ("h2", "Financement participatif"),
            (
                "p",
                "<p>Les collectes sont des dons avec ou sans contrepartie, réalisés dans le cadre prévu pour "
                "les collectivités territoriales par le décret n° 2015-1670 du 14 décembre 2015.</p>",
            ),
        ],
    },
    {
        "slug": "donnees-personnelles",
        "title": "Données personnelles",
        "intro": "Quelles données nous collectons, pourquoi, combien de temps, et comment exercer vos droits.",
        "body": [
            ("h2", "Responsable de traitement"),
            ("p", "<p>La Ville de Beaupré-sur-Loire, représentée par son maire.</p>"),
            ("h2", "Données collectées et finalités"),
            (
                "p",
                "<ul><li>Contributions : nom, adresse électronique, montant, pour enregistrer votre don, "
                "vous informer du résultat de la collecte et établir, le cas échéant, un reçu fiscal.</li>"
                "<li>Porteurs de projet : coordonnées et informations sur le projet, pour la modération et le "
                "versement des fonds.</li><li>Candidatures aux appels à projets : votre compte (nom, adresse "
                "électronique), vos réponses au formulaire et vos pièces jointes, pour instruire votre "
                "candidature ; elles sont vues par les agents chargés de l'appel et par les jurés désignés, "
                "qui n'y ont accès qu'après vérification de leurs droits.</li>"
                "<li>Les données de carte bancaire sont traitées par notre "
                "prestataire de paiement et ne sont jamais stockées par la Ville.</li></ul>",
            ),
            ("h2", "Durées de conservation"),
            (
                "p",
                "<p>Les données de contribution sont conservées dix ans (obligations comptables). Les réponses "
                "et pièces jointes des candidatures non retenues (irrecevables, non retenues ou retirées) et les "
                "brouillons jamais déposés sont effacés un an après la dernière décision ; les candidatures "
                "lauréates sont conservées avec la collecte qu'elles ont fait naître. Les autres données sont "
                "conservées trois ans après le dernier contact.</p><p>Depuis « Mon espace », vous pouvez "
                "télécharger vos données et supprimer votre compte.</p>",
            ),
            ("h2", "Vos droits"),
            (
                "p",
                "<p>Vous pouvez accéder à vos données, les rectifier, les effacer ou vous opposer à leur "
                "traitement en écrivant au délégué à la protection des données : "
                "dpo@beaupre-sur-loire.example. Vous pouvez aussi adresser une réclamation à la CNIL.</p>",
            ),
            ("h2", "Cookies"),
            (
                "p",
                "<p>Le site n'utilise ni cookie publicitaire ni outil de mesure d'audience tiers. Seuls des "
                "cookies techniques (session, sécurité, langue) sont déposés.</p>",
            ),
        ],
    },
    {
        "slug": "accessibilite",
        "title": "Déclaration d'accessibilité",
        "intro": "La Ville de Beaupré-sur-Loire s'engage à rendre ses sites internet accessibles conformément à "
        "l'article 47 de la loi n° 2005-102 du 11 février 2005.",
        "body": [
            (
                "p",
                "<p>Cette déclaration d'accessibilité s'applique au site Coup de pouce, plateforme de "
                "financement participatif de la Ville de Beaupré-sur-Loire.</p>",
            ),
            ("h2", "État de conformité"),
            (
                "p",
                "<p>Le site Coup de pouce est <b>partiellement conforme</b> avec le référentiel général "
                "d'amélioration de l'accessibilité (RGAA), version 4.1, en raison des non-conformités et des "
                "dérogations énumérées ci-dessous.</p>",
            ),
            ("h3", "Résultats des tests"),
            (
                "p",
                "<p>L'audit de conformité réalisé en interne révèle que 82 % des critères du RGAA 4.1 sont "
                "respectés. Le taux moyen de conformité du site s'élève à 91 %.</p>",
            ),
            ("h2", "Contenus non accessibles"),
            ("h3", "Non-conformités"),
            (
                "p",
                "<ul><li>Certaines images déposées par les porteurs de projet n'ont pas d'alternative "
                "textuelle pertinente (critère 1.3).</li><li>Certaines vidéos de présentation des projets, "
                "hébergées sur des plateformes tierces, ne sont pas sous-titrées (critère 4.1).</li><li>Dans "
                "le parcours de don, un message d'erreur n'est pas restitué immédiatement par les lecteurs "
                "d'écran (critère 11.10).</li></ul>",
            ),
            ("h3", "Dérogations pour charge disproportionnée"),
            ("p", "<p>Aucune.</p>"),
            ("h3", "Contenus non soumis à l'obligation d'accessibilité"),
            (
                "p",
                "<ul><li>Les documents bureautiques publiés avant le 23 septembre 2018.</li><li>Les cartes "
                "interactives des projets ; la liste des projets par quartier en offre une alternative.</li>"
                "</ul>",
            ),
            ("h2", "Établissement de cette déclaration d'accessibilité"),
            ("p", "<p>Cette déclaration a été établie le jour de la mise en ligne du site de démonstration.</p>"),
            ("h3", "Technologies utilisées pour la réalisation du site"),
            ("p", "<ul><li>HTML5</li><li>CSS</li><li>JavaScript (amélioration progressive)</li></ul>"),
            ("h3", "Environnement de test"),
            (
                "p",
                "<ul><li>NVDA avec Firefox, sous Windows</li><li>VoiceOver avec Safari, sous macOS et iOS</li>"
                "<li>TalkBack avec Chrome, sous Android</li></ul>",
            ),
            ("h3", "Outils pour évaluer l'accessibilité"),
            ("p", "<ul><li>axe-core (tests automatisés)</li><li>Analyseur de contraste de couleurs</li></ul>"),
            ("h3", "Pages du site ayant fait l'objet de la vérification de conformité"),
            (
                "p",
                "<ul><li>Accueil</li><li>Liste des projets</li><li>Page d'une campagne</li><li>Parcours de "
                "don</li><li>Thématiques</li><li>Appels à projets</li><li>Mentions légales</li><li>Déclaration "
                "d'accessibilité</li></ul>",
            ),
            ("h2", "Retour d'information et contact"),
            (
                "p",
                "<p>Si vous n'arrivez pas à accéder à un contenu ou à un service, vous pouvez contacter la "
                "direction de la communication pour être orienté vers une alternative accessible ou obtenir le "
                "contenu sous une autre forme :</p><ul><li>par courriel : "
                "accessibilite@beaupre-sur-loire.example</li><li>par téléphone : 01 99 00 12 34</li><li>par "
                "courrier : Hôtel de ville, 1 place de la Mairie, 49990 Beaupré-sur-Loire</li></ul>",
            ),
            ("h2", "Voies de recours"),
            (
                "p",
                "<p>Cette procédure est à utiliser dans le cas suivant : vous avez signalé au responsable du "
                "site un défaut d'accessibilité qui vous empêche d'accéder à un contenu ou à un des services du "
                "portail et vous n'avez pas obtenu de réponse satisfaisante.</p><ul><li>Écrire un message au "
                '<a href="https://formulaire.defenseurdesdroits.fr/">Défenseur des droits</a></li><li>Contacter '
                "le délégué du Défenseur des droits dans votre région</li><li>Envoyer un courrier par la poste "
                "(gratuit, ne pas mettre de timbre) : Défenseur des droits, Libre réponse 71120, 75342 Paris "
                "CEDEX 07</li></ul>",
            ),
        ],
    },
]

# English translations of the content pages, by the French page's slug (the header menu's
# "How it works", the footer's legal notice, personal data page and accessibility statement).
STANDARD_PAGES_EN = {
    "comment-ca-marche": {
        "slug": "how-it-works",
        "title": "How it works",
        "intro": "Propose a project, back it, follow its news: all you need to know about Coup de pouce.",
        "body": [
            ("h2", "1. A resident or an association proposes a project"),
            (
                "p",
                "<p>The holder describes the project, sets the goal (the amount from which the project will "
                "happen, at most €20,000) and the length of the campaign (at most 90 days). They offer rewards "
                "and say what help in kind they need. The town's team reviews every project before it goes "
                "online.</p>",
            ),
            ("h2", "2. Residents back it"),
            (
                "p",
                "<p>You choose an amount and, if you wish, a reward. Your card is saved but <b>only charged if "
                "the goal is reached</b>. You can also give by cheque or in cash at the town hall's reception, "
                "or offer your help: a hand, equipment, skills.</p>",
            ),
            ("h2", "3. When the campaign ends"),
            (
                "p",
                "<p>Goal reached: the pledges are collected and paid to the holder, less a 7% commission that "
                "covers payment fees and running the platform. Goal not reached: nobody is charged. Pledges "
                "beyond 200% of the goal are no longer accepted.</p>",
            ),
            ("h2", "4. After the campaign"),
            (
                "p",
                "<p>The project's page stays online: the holder posts news there, and backers follow the "
                "project as it happens.</p>",
            ),
            (
                "p",
                "<p>Most projects are presented in French only; every one of them can be backed with the "
                "pledge form in English.</p>",
            ),
        ],
    },
    "mentions-legales": {
        "slug": "legal-notice",
        "title": "Legal notice",
        "intro": "Publisher, hosting and terms of use of the Coup de pouce website.",
        "body": [
            ("h2", "Publisher"),
            (
                "p",
                "<p>Ville de Beaupré-sur-Loire, town hall, 1 place de la Mairie, 49990 Beaupré-sur-Loire, "
                "France. Telephone: +33 1 99 00 12 34.</p><p>Director of publication: the mayor of "
                "Beaupré-sur-Loire.</p>",
            ),
            ("h2", "Hosting"),
            ("p", "<p>Demonstration site: hosting to be specified when the site goes into production.</p>"),
            ("h2", "Intellectual property"),
            (
                "p",
                "<p>Texts and images published by project holders remain their property. The town's editorial "
                "content may be reused under the Etalab 2.0 open licence, unless stated otherwise.</p>",
            ),
            ("h2", "Crowdfunding"),
            (
                "p",
                "<p>Campaigns collect donations with or without rewards, within the framework French law sets "
                "for local authorities (decree no. 2015-1670 of 14 December 2015).</p>",
            ),
            ("p", "<p>The French version of this notice is the reference.</p>"),
        ],
    },
    "donnees-personnelles": {
        "slug": "personal-data",
        "title": "Personal data",
        "intro": "What data we collect, why, for how long, and how to exercise your rights.",
        "body": [
            ("h2", "Data controller"),
            ("p", "<p>The Ville de Beaupré-sur-Loire, represented by its mayor.</p>"),
            ("h2", "Data collected and purposes"),
            (
                "p",
                "<ul><li>Pledges: name, email address and amount, to record your pledge and tell you the "
                "outcome of the campaign.</li><li>Project holders: contact details and information about the "
                "project, for moderation and payment of the funds.</li><li>Applications to calls for projects: "
                "your account (name, email address), your answers to the form and your attachments, to assess "
                "your application; they are seen by the staff in charge of the call and by the appointed "
                "jurors, who only get access once their rights are checked.</li><li>Card details are processed "
                "by our payment provider and are never stored by the town.</li></ul>",
            ),
            ("h2", "How long we keep data"),
            (
                "p",
                "<p>Pledge data is kept for ten years (accounting obligations). The answers and attachments of "
                "applications that were not selected (inadmissible, not selected or withdrawn) and drafts never "
                "submitted are erased one year after the last decision; selected applications are kept with the "
                "campaign they gave rise to. Other data is kept for three years after the last contact.</p>"
                "<p>From “My space”, you can download your data and delete your account.</p>",
            ),
            ("h2", "Your rights"),
            (
                "p",
                "<p>You can access your data, correct it, erase it or object to its processing by writing to "
                "the data protection officer: dpo@beaupre-sur-loire.example. You can also lodge a complaint "
                "with the CNIL, the French data protection authority.</p>",
            ),
            ("h2", "Cookies"),
            (
                "p",
                "<p>The site uses no advertising cookies and no third-party audience measurement. Only technical "
                "cookies (session, security, language) are set.</p>",
            ),
        ],
    },
    "accessibilite": {
        "slug": "accessibility",
        "title": "Accessibility statement",
        "intro": "The Ville de Beaupré-sur-Loire is committed to making its websites accessible, in accordance "
        "with article 47 of French law no. 2005-102 of 11 February 2005.",
        "body": [
            (
                "p",
                "<p>This accessibility statement applies to the Coup de pouce website, the crowdfunding "
                "platform of the Ville de Beaupré-sur-Loire.</p>",
            ),
            ("h2", "Compliance status"),
            (
                "p",
                "<p>The Coup de pouce website is <b>partially compliant</b> with the French accessibility "
                "framework (RGAA), version 4.1, because of the non-compliances and exemptions listed below.</p>",
            ),
            ("h3", "Test results"),
            (
                "p",
                "<p>The internal compliance audit shows that 82% of the RGAA 4.1 criteria are met. The site's "
                "average compliance rate is 91%.</p>",
            ),
            ("h2", "Inaccessible content"),
            ("h3", "Non-compliances"),
            (
                "p",
                "<ul><li>Some images uploaded by project holders have no relevant text alternative (criterion "
                "1.3).</li><li>Some project presentation videos, hosted on third-party platforms, have no "
                "subtitles (criterion 4.1).</li><li>In the pledge journey, an error message is not announced "
                "immediately by screen readers (criterion 11.10).</li><li>Most campaign pages exist in French "
                "only; their pledge form is available in English.</li></ul>",
            ),
            ("h3", "Exemptions for disproportionate burden"),
            ("p", "<p>None.</p>"),
            ("h3", "Content not subject to the accessibility obligation"),
            (
                "p",
                "<ul><li>Office documents published before 23 September 2018.</li><li>The interactive maps of "
                "the projects; the list of projects by neighbourhood is an alternative.</li></ul>",
            ),
            ("h2", "Preparation of this accessibility statement"),
            ("p", "<p>This statement was drawn up on the day the demonstration site went online.</p>"),
            ("h3", "Technologies used to build the site"),
            ("p", "<ul><li>HTML5</li><li>CSS</li><li>JavaScript (progressive enhancement)</li></ul>"),
            ("h3", "Test environment"),
            (
                "p",
                "<ul><li>NVDA with Firefox, on Windows</li><li>VoiceOver with Safari, on macOS and iOS</li>"
                "<li>TalkBack with Chrome, on Android</li></ul>",
            ),
            ("h3", "Tools used to assess accessibility"),
            ("p", "<ul><li>axe-core (automated tests)</li><li>Colour contrast analyser</li></ul>"),
            ("h3", "Pages checked for compliance"),
            (
                "p",
                "<ul><li>Home</li><li>Project list</li><li>A campaign page</li><li>Pledge journey</li>"
                "<li>Themes</li><li>Calls for projects</li><li>Legal notice</li><li>Accessibility statement"
                "</li></ul>",
            ),
            ("h2", "Feedback and contact"),
            (
                "p",
                "<p>If you cannot access some content or a service, you can contact the communication "
                "department to be directed to an accessible alternative or to get the content in another "
                "form:</p><ul><li>by email: accessibilite@beaupre-sur-loire.example</li><li>by telephone: "
                "+33 1 99 00 12 34</li><li>by post: Hôtel de ville, 1 place de la Mairie, 49990 "
                "Beaupré-sur-Loire, France</li></ul>",
            ),
            ("h2", "Remedies"),
            (
                "p",
                "<p>Use this procedure if you have reported to the site's manager an accessibility defect that "
                "prevents you from accessing content or a service and have not received a satisfactory "
                "answer.</p><ul><li>Write a message to the "
                '<a href="https://formulaire.defenseurdesdroits.fr/">Défenseur des droits</a> '
                "(the French rights ombudsman)</li><li>Contact the Défenseur des droits' delegate in your "
                "region</li><li>Send a letter by post (free, no stamp needed): Défenseur des droits, Libre "
                "réponse 71120, 75342 Paris CEDEX 07, France</li></ul>",
            ),
        ],
    },
}

# The English header menu's label of a French page that has no English translation: the
# link leads to the French page and says so.
MENU_LABELS_EN = {
    PROJECT_INDEX["slug"]: "Projects (in French)",
    THEME_INDEX["slug"]: "Themes (in French)",
    CALL_INDEX["slug"]: "Calls for projects (in French)",
    "comment-ca-marche": "How it works (in French)",
}

# "À la Une": (kind, slug, title override, teaser override), in display order.
FEATURES = [
    (
        "campaign",
        "kfe-du-33",
        "Le Kfé du 33 a presque atteint son palier",
        "Encore quelques centaines d'euros pour ouvrir le café de l'AMAP aux Tilleuls : donnez-lui un coup de pouce !",
    ),
    ("theme", "alimentation-circuits-courts", "", ""),
    ("call", "makers-economie-circulaire", "", ""),
    ("standard", "comment-ca-marche", "", ""),
]

# Backers' names: the loader combines them deterministically.
FIRST_NAMES = (
    "Camille, Léa, Manon, Chloé, Inès, Sarah, Jeanne, Louise, Alice, Zoé, Nathalie, Sophie, Martine, "
    "Fatima, Amina, Hélène, Claire, Élodie, Julie, Aïcha, Lucas, Hugo, Louis, Gabriel, Arthur, Jules, "
    "Thomas, Nicolas, Julien, Karim, Mehdi, Pierre, Jean, Michel, Philippe, Bernard, Olivier, Antoine, "
    "Romain, Yannick"
).split(", ")
LAST_NAMES = (
    "Martin, Bernard, Dubois, Thomas, Robert, Richard, Petit, Durand, Leroy, Moreau, Simon, Laurent, "
    "Lefèvre, Michel, Garcia, David, Bertrand, Roux, Vincent, Fournier, Morel, Girard, André, Mercier, "
    "Dupont, Lambert, Bonnet, François, Martinez, Legrand, Benali, Nguyen, Haddad, Traoré, Da Silva, "
    "Rousseau, Blanc, Guérin, Muller, Henry"
).split(", ")
MESSAGES = [
    "Bravo pour ce beau projet !",
    "Hâte de voir ça dans le quartier.",
    "Un coup de pouce avec plaisir.",
    "Merci pour votre énergie.",
    "Je viendrai donner un coup de main.",
    "Longue vie au projet !",
]

# --- Applications to the calls, jury ----------------------------------------------------------
# The demo applicants and jurors sign in with their email address and the demo password.
# (email, full name)
APPLICANTS = [
    ("candidat@example.org", "Camille Martin"),
    ("karim.benali@example.org", "Karim Benali"),
    ("lea.nguyen@example.org", "Léa Nguyen"),
    ("amina.traore@example.org", "Amina Traoré"),
    ("thomas.girard@example.org", "Thomas Girard"),
    ("sophie.lambert@example.org", "Sophie Lambert"),
    ("julien.mercier@example.org", "Julien Mercier"),
]
JURORS = [
    ("jure@example.org", "Jules Bernard"),
    ("jure2@example.org", "Inès Moreau"),
]

# Each call's application form: (key, block type, label, options). The key fixes the block's id
# (a UUID derived from the call's slug and the key), so the answers below can name questions.
APPLICATION_FORMS = {
    "makers-economie-circulaire": [
        (
            "structure",
            "short_text",
            "Nom de la structure",
            {"help_text": "Association, entreprise, collectif… ou votre nom si vous portez le projet seul·e."},
        ),
        (
            "description",
            "long_text",
            "Décrivez votre projet",
            {
                "max_length": 2000,
                "help_text": "Ce que vous fabriquez, réparez ou réemployez, pour qui, et ce que la collecte "
                "permettra d'acheter.",
            },
        ),
        (
            "stage",
            "single_choice",
            "Stade du projet",
            {"choices": ["Idée", "Prototype", "Premiers usagers ou clients", "Activité installée"]},
        ),
        (
            "publics",
            "multiple_choice",
            "Publics visés",
            {
                "choices": [
                    "Habitants du quartier",
                    "Familles",
                    "Jeunes",
                    "Seniors",
                    "Commerçants et artisans",
                    "Écoles",
                ]
            },
        ),
        (
            "budget",
            "amount",
            "Budget total du projet",
            {"help_text": "Toutes les dépenses du projet, pas seulement ce que la collecte financera."},
        ),
        ("start", "date", "Date de démarrage envisagée", {"required": False}),
        (
            "budget_file",
            "file",
            "Budget prévisionnel (PDF)",
            {
                "required": False,
                "allowed_types": ["pdf"],
                "max_size_mb": 5,
                "help_text": "Un tableau simple des dépenses et des recettes suffit.",
            },
        ),
        (
            "consent",
            "consent",
            "J'accepte que mes données soient traitées par la Ville de Beaupré-sur-Loire pour l'instruction "
            "de ma candidature.",
            {"help_text": "Elles sont conservées un an après la décision si le projet n'est pas retenu."},
        ),
    ],
    "quartiers-a-vivre-2025": [
        ("description", "long_text", "Décrivez l'aménagement proposé", {"max_length": 1500}),
        ("place", "short_text", "Lieu envisagé", {"help_text": "Rue, place ou parc."}),
        ("budget", "amount", "Budget total du projet", {}),
        (
            "consent",
            "consent",
            "J'accepte que mes données soient traitées par la Ville de Beaupré-sur-Loire pour l'instruction "
            "de ma candidature.",
            {},
        ),
    ],
}

# The staff's message to the applicant with each decision, unless an application has its own.
DECISION_MESSAGES = {
    "eligible": "Votre dossier est complet et recevable : le jury l'étudiera dans les trois prochaines semaines.",
    "ineligible": "Vous pouvez nous écrire si vous pensez que nous avons mal compris votre dossier.",
    "shortlisted": "Le jury vous propose une audition de vingt minutes à l'hôtel de ville : nous vous "
    "écrirons pour convenir d'un créneau.",
    "laureate": "Félicitations ! Le service communication vous contactera pour préparer la collecte.",
    "not_selected": "Le jury a apprécié votre démarche mais d'autres projets répondaient mieux aux critères "
    "de l'appel. N'hésitez pas à candidater à nouveau.",
}

# Applications: `steps` are the statuses after the draft, in order, with `days` (offsets from
# now, one per step; the first is the submission, or the draft's start for a draft).
# `answers` by form key (amounts in euros, `start` in days from now); `budget_pdf`: lines of the
# budget attached as a PDF; `reviews`: {juror email: (scores in the call's criteria order,
# comment, coup de cœur, submitted)}; `conflict`: {juror email: note}; `campaign`: the slug of
# the demo campaign the laureate became.
APPLICATIONS = [
    # --- Makers de Beaupré (open) -------------------------------------------------------------
    {
        "call": "makers-economie-circulaire",
        "applicant": "candidat@example.org",
        "title": "Des cabas cousus dans les bâches de la Ville",
        "summary": "Les bâches des festivals et des chantiers municipaux finissent à la benne : je les "
        "transforme en cabas, trousses et sacs à vélo, cousus dans un atelier partagé des Bords de Loire.",
        "holder_name": "Camille Martin, couturière",
        "holder_kind": "individual",
        "amount": 4500,
        "themes": ["solidarite"],
        "territory": "bords-de-loire",
        "steps": ["submitted", "eligible", "shortlisted"],
        "days": [-17, -13, -6],
        "answers": {
            "structure": "Atelier Fil de Loire (micro-entreprise)",
            "description": "Chaque année, la Ville jette près de 300 m² de bâches imprimées : festivals, "
            "panneaux de chantier, banderoles. Je les récupère, les lave et les découpe pour coudre des "
            "cabas, des trousses et des sacoches de vélo vendus au marché du samedi. La collecte financera "
            "une machine à coudre industrielle et une presse à œillets, et des ateliers où les habitants "
            "apprendront à coudre leur propre sac.",
            "stage": "Prototype",
            "publics": ["Habitants du quartier", "Familles"],
            "budget": 7800,
            "start": 75,
            "consent": True,
        },
        "budget_pdf": [
            ("Machine à coudre industrielle", 2900),
            ("Presse à œillets et outillage", 650),
            ("Location de l'atelier partagé (un an)", 1800),
            ("Animation de 10 ateliers couture", 1500),
            ("Communication et étiquettes", 950),
        ],
        "reviews": {
            "jure@example.org": (
                [5, 4, 4, 4, 3],
                "Réemploi exemplaire, et la Ville fournit la matière. Le prix de vente reste à préciser.",
                True,
                True,
            ),
            "jure2@example.org": (
                [4, 4, 3, 5, 4],
                "Les ateliers couture peuvent fédérer beaucoup de monde. Budget un peu juste pour l'atelier.",
                False,
                True,
            ),
        },
    },
    {
        "call": "makers-economie-circulaire",
        "applicant": "candidat@example.org",
        "title": "Un atelier de réparation de jouets avant Noël",
        "summary": "Réparer les jouets donnés à la ressourcerie pour les offrir aux familles du quartier.",
        "holder_name": "",
        "holder_kind": "individual",
        "amount": None,
        "themes": [],
        "territory": "bords-de-loire",
        "steps": [],
        "days": [-3],
        "answers": {
            "structure": "Atelier Fil de Loire",
            "stage": "Idée",
        },
    },
    {
        "call": "makers-economie-circulaire",
        "applicant": "karim.benali@example.org",
        "title": "Le Repair café roulant",
        "summary": "Un triporteur équipé d'un établi, qui s'installe chaque samedi sur une place différente "
        "pour réparer avec les habitants grille-pain, lampes et vélos.",
        "holder_name": "Association Répare et Partage",
        "holder_kind": "association",
        "amount": 6500,
        "themes": ["solidarite", "numerique"],
        "territory": "beaupre-sur-loire",
        "steps": ["submitted", "eligible", "shortlisted", "laureate"],
        "days": [-19, -15, -9, -2],
        "answers": {
            "structure": "Association Répare et Partage",
            "description": "Notre repair café se tient une fois par mois dans une salle que peu d'habitants "
            "connaissent. Nous voulons aller vers eux : un triporteur à assistance électrique, équipé d'un "
            "établi pliant, d'outillage et d'un stock de pièces, qui s'installe chaque samedi sur un marché "
            "ou une place. Les bénévoles réparent avec les habitants, jamais à leur place, et tiennent le "
            "compte des kilos d'objets sauvés de la benne.",
            "stage": "Activité installée",
            "publics": ["Habitants du quartier", "Seniors", "Familles"],
            "budget": 9200,
            "start": 45,
            "consent": True,
        },
        "budget_pdf": [
            ("Triporteur à assistance électrique", 5200),
            ("Établi pliant et outillage", 1400),
            ("Stock de pièces détachées", 900),
            ("Assurance et entretien (un an)", 700),
            ("Communication", 1000),
        ],
        "reviews": {
            "jure@example.org": (
                [5, 5, 4, 5, 5],
                "Le projet le plus complet : association solide, bénévoles formés, impact mesuré.",
                True,
                True,
            ),
            "jure2@example.org": (
                [5, 4, 4, 5, 4],
                "Très visible dans l'espace public, idéal pour lancer la collecte.",
                True,
                True,
            ),
        },
    },
    {
        "call": "makers-economie-circulaire",
        "applicant": "lea.nguyen@example.org",
        "title": "Des pièces détachées imprimées au FabLab des Tilleuls",
        "summary": "Modéliser et imprimer en 3D les petites pièces qui manquent pour réparer un appareil : "
        "boutons, clips, engrenages, poignées.",
        "holder_name": "FabLab des Tilleuls",
        "holder_kind": "association",
        "amount": 3800,
        "themes": ["numerique"],
        "territory": "les-tilleuls",
        "steps": ["submitted", "eligible"],
        "days": [-12, -5],
        "answers": {
            "structure": "FabLab des Tilleuls",
            "description": "Un appareil sur trois part à la benne pour une pièce en plastique introuvable. "
            "Le FabLab propose une permanence « pièce manquante » : on mesure, on modélise avec l'habitant et "
            "on imprime la pièce en plastique recyclé. Les modèles sont publiés sous licence libre.",
            "stage": "Premiers usagers ou clients",
            "publics": ["Habitants du quartier", "Jeunes", "Écoles"],
            "budget": 5400,
            "start": 30,
            "consent": True,
        },
        "budget_pdf": [
            ("Deux imprimantes 3D", 2600),
            ("Bobines de filament recyclé", 900),
            ("Pied à coulisse, scanner 3D d'entrée de gamme", 1100),
            ("Animation des permanences", 800),
        ],
        "reviews": {
            # A draft: Jules Bernard has started scoring, not sent it yet.
            "jure@example.org": ([4, 4, None, None, None], "", False, False),
        },
        "conflict": {
            "jure2@example.org": "Je suis bénévole au FabLab des Tilleuls depuis deux ans.",
        },
    },
    {
        "call": "makers-economie-circulaire",
        "applicant": "amina.traore@example.org",
        "title": "Des vélos-cargos reconditionnés pour les commerçants du centre",
        "summary": "Remettre en état des vélos-cargos d'occasion et les louer aux commerçants du centre-ville "
        "pour leurs livraisons de proximité.",
        "holder_name": "Cargo Loire SAS",
        "holder_kind": "company",
        "amount": 9000,
        "themes": ["solidarite"],
        "territory": "centre-ville",
        "steps": ["submitted", "eligible"],
        "days": [-10, -4],
        "answers": {
            "structure": "Cargo Loire SAS",
            "description": "Nous rachetons des vélos-cargos d'occasion, les remettons en état dans notre "
            "atelier avec des pièces de réemploi et les louons au mois aux commerçants du centre-ville. "
            "Entretien compris : un vélo-cargo remplace une camionnette pour les livraisons de moins de trois "
            "kilomètres.",
            "stage": "Prototype",
            "publics": ["Commerçants et artisans"],
            "budget": 18500,
            "start": 60,
            "consent": True,
        },
        "reviews": {
            "jure@example.org": (
                [3, 4, 3, 2, 3],
                "Bonne idée pour le centre, mais le modèle économique repose sur peu de commerçants.",
                False,
                True,
            ),
        },
    },
    {
        "call": "makers-economie-circulaire",
        "applicant": "thomas.girard@example.org",
        "title": "Du mobilier de quartier en palettes de réemploi",
        "summary": "Des bancs, des bacs à plantes et des étagères de boîtes à livres fabriqués avec les "
        "palettes de la zone d'activités, lors de chantiers ouverts aux habitants.",
        "holder_name": "Collectif Palettes & Co",
        "holder_kind": "association",
        "amount": 2800,
        "themes": ["solidarite"],
        "territory": "quartier-de-la-gare",
        "steps": ["submitted"],
        "days": [-2],
        "answers": {
            "structure": "Collectif Palettes & Co",
            "description": "Les entreprises de la zone d'activités jettent chaque semaine des dizaines de "
            "palettes. Nous les récupérons pour fabriquer, avec les habitants, le mobilier qui manque au "
            "quartier de la Gare : bancs, bacs à plantes, boîtes à livres.",
            "stage": "Idée",
            "publics": ["Habitants du quartier", "Jeunes"],
            "budget": 3600,
            "start": 40,
            "consent": True,
        },
        "budget_pdf": [
            ("Outillage (scies, ponceuses, visseuses)", 1600),
            ("Quincaillerie et lasure", 900),
            ("Assurance des chantiers", 400),
            ("Goûters des chantiers participatifs", 700),
        ],
    },
    {
        "call": "makers-economie-circulaire",
        "applicant": "thomas.girard@example.org",
        "title": "Une consigne pour les bocaux des épiceries",
        "summary": "Collecter, laver et redistribuer les bocaux en verre des épiceries du quartier.",
        "holder_name": "Collectif Palettes & Co",
        "holder_kind": "association",
        "amount": 5000,
        "themes": ["alimentation-circuits-courts"],
        "territory": "quartier-de-la-gare",
        "steps": ["submitted", "withdrawn"],
        "days": [-16, -11],
        "answers": {
            "structure": "Collectif Palettes & Co",
            "description": "Une consigne de quartier pour les bocaux : les épiceries les reprennent, nous les "
            "lavons dans une cuisine partagée et les rendons aux producteurs.",
            "stage": "Idée",
            "publics": ["Commerçants et artisans", "Habitants du quartier"],
            "budget": 6000,
            "consent": True,
        },
    },
    {
        "call": "makers-economie-circulaire",
        "applicant": "sophie.lambert@example.org",
        "title": "Une place de marché en ligne des matériaux de réemploi",
        "summary": "Une plateforme nationale où les entreprises du bâtiment revendent leurs surplus de chantier.",
        "holder_name": "Rematério SAS",
        "holder_kind": "company",
        "amount": 45000,
        "themes": ["numerique"],
        "territory": None,
        "steps": ["submitted", "ineligible"],
        "days": [-14, -9],
        "reason": "Le porteur n'est pas installé à Beaupré-sur-Loire ni dans une commune voisine (siège à "
        "Nantes), et l'objectif de 45 000 € dépasse le plafond de 20 000 € fixé par le règlement.",
        "answers": {
            "structure": "Rematério SAS",
            "description": "Une place de marché en ligne, ouverte à toute la France, pour revendre les "
            "surplus de chantier : carrelage, bois, sanitaires. Commission de 12 % sur chaque vente.",
            "stage": "Activité installée",
            "publics": ["Commerçants et artisans"],
            "budget": 120000,
            "start": 20,
            "consent": True,
        },
    },
    {
        "call": "makers-economie-circulaire",
        "applicant": "julien.mercier@example.org",
        "title": "Des luminaires en verre de récupération",
        "summary": "Des suspensions et des lampes de chevet soufflées à partir de bouteilles collectées au "
        "point d'apport volontaire.",
        "holder_name": "Julien Mercier, verrier",
        "holder_kind": "individual",
        "amount": 7000,
        "themes": ["solidarite"],
        "territory": "la-croix-verte",
        "steps": ["submitted", "eligible", "not_selected"],
        "days": [-18, -14, -3],
        "answers": {
            "structure": "Julien Mercier, verrier",
            "description": "Je récupère les bouteilles de verre du point d'apport volontaire de la "
            "Croix-Verte et les transforme en suspensions et lampes de chevet, vendues en série limitée. "
            "La collecte financerait un four de recuisson.",
            "stage": "Prototype",
            "publics": ["Habitants du quartier"],
            "budget": 11000,
            "start": 90,
            "consent": True,
        },
        "reviews": {
            "jure@example.org": (
                [4, 2, 3, 2, 2],
                "Beau savoir-faire, mais un intérêt local limité et un public restreint.",
                False,
                True,
            ),
            "jure2@example.org": (
                [3, 2, 2, 2, 3],
                "Le four représente l'essentiel du budget : peu de retombées pour le quartier.",
                False,
                True,
            ),
        },
    },
    # --- Quartiers à vivre 2025 (closed, results published) -----------------------------------
    {
        "call": "quartiers-a-vivre-2025",
        "applicant": "candidat@example.org",
        "title": "Des tables de pique-nique dans le parc Victor-Hugo",
        "summary": "Six tables en bois local, dont deux accessibles en fauteuil, pour pique-niquer, jouer aux "
        "cartes ou faire ses devoirs à l'ombre des platanes.",
        "holder_name": "Comité des fêtes des Bords de Loire",
        "holder_kind": "association",
        "amount": 3500,
        "themes": ["nature-en-ville"],
        "territory": "bords-de-loire",
        "steps": ["submitted", "eligible", "shortlisted", "laureate"],
        "days": [-285, -236, -228, -215],
        "campaign": "tables-de-pique-nique-parc-victor-hugo",
        "answers": {
            "description": "Le parc Victor-Hugo n'a pas une seule table. Six tables en chêne non traité, "
            "fabriquées par un menuisier du département, dont deux avec un plateau prolongé pour les "
            "fauteuils roulants.",
            "place": "Parc Victor-Hugo, sous les platanes près de l'aire de jeux",
            "budget": 4200,
            "consent": True,
        },
    },
    {
        "call": "quartiers-a-vivre-2025",
        "applicant": "julien.mercier@example.org",
        "title": "La fresque du pont de Loire",
        "summary": "Quarante mètres de fresque sous le pont, peints par des artistes locaux et les jeunes du "
        "quartier, sur le thème de la Loire et de ses oiseaux.",
        "holder_name": "Collectif Les Murs parlent",
        "holder_kind": "association",
        "amount": 3200,
        "themes": ["culture"],
        "territory": "bords-de-loire",
        "steps": ["submitted", "eligible", "shortlisted", "laureate"],
        "days": [-262, -236, -228, -215],
        "campaign": "fresque-du-pont-de-loire",
        "answers": {
            "description": "Le passage sous le pont est évité le soir. Trois artistes et vingt jeunes du "
            "quartier le peindront pendant les vacances de printemps.",
            "place": "Passage piéton sous le pont de Loire, rive gauche",
            "budget": 3900,
            "consent": True,
        },
    },
    {
        "call": "quartiers-a-vivre-2025",
        "applicant": "karim.benali@example.org",
        "title": "Des boîtes à livres dans les halls des Tilleuls",
        "summary": "Cinq boîtes à livres fabriquées par les jeunes du quartier, installées dans les halls des "
        "immeubles avec l'accord du bailleur.",
        "holder_name": "Association Répare et Partage",
        "holder_kind": "association",
        "amount": 1200,
        "themes": ["culture"],
        "territory": "les-tilleuls",
        "steps": ["submitted", "eligible", "shortlisted", "laureate"],
        "days": [-270, -236, -228, -215],
        "answers": {
            "description": "Cinq boîtes à livres en bois de réemploi, fabriquées lors de trois ateliers avec "
            "les jeunes du quartier et installées dans les halls, avec l'accord de Loire Habitat.",
            "place": "Halls des immeubles A à E, résidence des Tilleuls",
            "budget": 1500,
            "consent": True,
        },
    },
    {
        "call": "quartiers-a-vivre-2025",
        "applicant": "amina.traore@example.org",
        "title": "Des jardinières sur la place de la Gare",
        "summary": "Des bacs plantés et entretenus par les commerçants de la place.",
        "holder_name": "Union des commerçants de la Gare",
        "holder_kind": "association",
        "amount": 5000,
        "themes": ["nature-en-ville"],
        "territory": "quartier-de-la-gare",
        "steps": ["submitted", "eligible", "not_selected"],
        "days": [-250, -236, -215],
        "answers": {
            "description": "Douze jardinières en acier Corten autour de la place, plantées de vivaces et "
            "entretenues par les commerçants.",
            "place": "Place de la Gare",
            "budget": 6500,
            "consent": True,
        },
    },
]


# ---------------------------------------------------------------------------------------------
# Community (`demo.community`): help in kind, questions, followers, accountability.
# People and addresses are fictional; nobody is emailed.

# Offers of help per campaign slug; "need" is the index of the campaign's in-kind need,
# "value" the estimated value in euros of an accepted offer.
HELP_OFFERS = {
    "kfe-du-33": [
        {
            "need": 0,
            "name": "Lucas Perret",
            "email": "lucas.perret@example.org",
            "phone": "06 12 34 56 78",
            "offer": "Mon frère et moi pouvons repeindre la salle et monter les étagères : nous l'avons fait "
            "pour la ressourcerie de Saint-Herblain.",
            "availability": "Les samedis de novembre",
            "quantity": 2,
            "status": HelpOffer.Status.ACCEPTED,
            "response": "Merci Lucas ! Rendez-vous samedi 9 h au 33, nous fournissons la peinture.",
            "value": 320,
            "days_ago": 21,
        },
        {
            "need": 0,
            "name": "Maryse Collin",
            "email": "maryse.collin@example.org",
            "offer": "Je couds : je peux faire les rideaux et les coussins de la banquette.",
            "availability": "En semaine, chez moi",
            "status": HelpOffer.Status.ACCEPTED,
            "response": "Avec plaisir : nous vous déposons le tissu cette semaine.",
            "value": 90,
            "days_ago": 15,
        },
        {
            "need": 0,
            "name": "Hugo Lefèvre",
            "email": "hugo.lefevre@example.org",
            "offer": "Étudiant en BTS aménagement, je peux aider au montage du comptoir.",
            "availability": "Le mercredi après-midi",
            "status": HelpOffer.Status.PENDING,
            "days_ago": 2,
        },
        {
            "need": 1,
            "name": "Sandrine Vidal",
            "email": "sandrine.vidal@example.org",
            "phone": "02 40 11 22 33",
            "offer": "Comptable à la retraite, je peux vous aider à tenir la comptabilité de l'association et "
            "à préparer votre première assemblée générale.",
            "availability": "Deux soirs par mois",
            "status": HelpOffer.Status.ACCEPTED,
            "response": "C'est exactement ce qu'il nous fallait, merci !",
            "value": 450,
            "days_ago": 12,
        },
        {
            "need": 1,
            "name": "Bertrand Roy",
            "email": "bertrand.roy@example.org",
            "offer": "J'ai monté une association d'éducation populaire : je peux relire vos statuts.",
            "availability": "À distance, quand vous voulez",
            "status": HelpOffer.Status.PENDING,
            "days_ago": 1,
        },
        {
            "need": 2,
            "name": "Menuiserie Dufour",
            "email": "contact.dufour@example.org",
            "offer": "Notre fourgon de 12 m³ avec chauffeur, pour une demi-journée.",
            "availability": "Un lundi matin",
            "status": HelpOffer.Status.ACCEPTED,
            "response": "Merci beaucoup, nous vous appelons pour fixer le lundi.",
            "value": 150,
            "days_ago": 9,
        },
        {
            "need": 2,
            "name": "Jean Moreau",
            "email": "jean.moreau@example.org",
            "offer": "Je peux prêter ma camionnette le dimanche.",
            "availability": "Le dimanche",
            "status": HelpOffer.Status.DECLINED,
            "response": "Merci Jean ! La Menuiserie Dufour nous prête déjà son fourgon ; nous gardons votre "
            "proposition en tête pour la suite.",
            "days_ago": 8,
        },
    ],
    "tables-de-pique-nique-parc-victor-hugo": [
        {
            "need": 0,
            "name": "Association des jardiniers des Bords de Loire",
            "email": "jardiniers.bords-de-loire@example.org",
            "offer": "Quatre jardiniers pour le chantier de pose, avec nos outils.",
            "availability": "Le samedi du chantier",
            "quantity": 4,
            "status": HelpOffer.Status.ACCEPTED,
            "response": "Parfait, merci !",
            "value": 480,
            "days_ago": 110,
        },
        {
            "need": 0,
            "name": "Karine Besson",
            "email": "karine.besson@example.org",
            "offer": "Je viens avec mes deux ados, qui ont besoin d'heures de bénévolat pour le lycée.",
            "availability": "Le samedi du chantier",
            "quantity": 3,
            "status": HelpOffer.Status.ACCEPTED,
            "response": "Bienvenue à tous les trois !",
            "value": 360,
            "days_ago": 108,
        },
        {
            "need": 0,
            "name": "Olivier Marchand",
            "email": "olivier.marchand@example.org",
            "offer": "Maçon, je peux faire les scellements des pieds de table.",
            "availability": "La semaine avant le chantier",
            "quantity": 3,
            "status": HelpOffer.Status.ACCEPTED,
            "response": "Merci Olivier, c'était la partie la plus délicate.",
            "value": 600,
            "days_ago": 106,
        },
    ],
    "la-cagette-supermarche-cooperatif": [
        {
            "need": 0,
            "name": "Nathalie Garnier",
            "email": "nathalie.garnier@example.org",
            "offer": "Une permanence d'ouverture par semaine.",
            "availability": "Le jeudi soir",
            "status": HelpOffer.Status.PENDING,
            "days_ago": 4,
        },
    ],
}

# Questions per campaign slug, oldest first; a published one may carry its answer.
QUESTIONS = {
    "kfe-du-33": [
        {
            "name": "Françoise Aubert",
            "email": "francoise.aubert@example.org",
            "body": "Le café sera-t-il accessible en fauteuil roulant ? Il y a une marche à l'entrée de "
            "l'ancienne mercerie.",
            "status": Question.Status.PUBLISHED,
            "answer": "Oui : la Ville nous prête une rampe amovible et les toilettes seront aux normes PMR.",
            "days_ago": 30,
        },
        {
            "name": "Yann Le Gall",
            "email": "yann.legall@example.org",
            "body": "Pourra-t-on déposer des objets à réparer avant l'ouverture du café ?",
            "status": Question.Status.PUBLISHED,
            "answer": "Pas encore : la ressourcerie ouvrira en même temps que le café. Suivez le projet pour "
            "être prévenu.",
            "days_ago": 11,
        },
        {
            "name": "Martine Girard",
            "email": "martine.girard@example.org",
            "body": "Quels seront les horaires d'ouverture le week-end ?",
            "status": Question.Status.PENDING,
            "days_ago": 1,
        },
    ],
    "tables-de-pique-nique-parc-victor-hugo": [
        {
            "name": "Denis Carré",
            "email": "denis.carre@example.org",
            "body": "Les tables accessibles en fauteuil seront-elles près des allées goudronnées ?",
            "status": Question.Status.PUBLISHED,
            "answer": "Oui, les deux tables accessibles sont au bord de l'allée principale, près des toilettes.",
            "days_ago": 140,
        },
    ],
}

# Followers per campaign slug: (email, status, days ago, "tell me when it launches").
FOLLOWERS = {
    "kfe-du-33": [
        ("voisin.tilleuls@example.org", "confirmed", 35, False),
        ("amap.beaupre@example.org", "confirmed", 28, False),
        ("francoise.aubert@example.org", "confirmed", 30, False),
        ("curieux.du.33@example.org", "pending", 1, False),
    ],
    "atelier-velo-solidaire": [
        ("cyclistes.beaupre@example.org", "confirmed", 10, True),
        ("velotaf.loire@example.org", "confirmed", 4, True),
    ],
    "tables-de-pique-nique-parc-victor-hugo": [
        ("denis.carre@example.org", "confirmed", 140, False),
    ],
}

# "Où en est le projet ?" on a funded campaign. Milestones: (title, description, planned
# days after the end of the campaign, status, done days after the end or None); budget lines:
# (item, announced €, spent € or None); deliveries: the status of each reward, in order.
ACCOUNTABILITY = {
    "milestones": [
        (
            "Commande des tables au menuisier",
            "Six tables en chêne non traité, dont deux accessibles en fauteuil.",
            7,
            "done",
            5,
        ),
        ("Chantier de pose avec les bénévoles", "Scellement et pose, un samedi.", 40, "done", 45),
        ("Deux tables de plus près de l'aire de jeux", "Le palier de 4 500 € est atteint.", 60, "done", 45),
        ("Plaques en laiton sur les tables", "Les messages des donateurs de 100 €.", 90, "late", None),
        ("Pique-nique d'inauguration", "Avec les paniers des donateurs de 30 €.", 150, "planned", None),
    ],
    "budget": [
        ("Six tables en chêne (menuisier du département)", 2400, 2520),
        ("Deux tables supplémentaires (palier)", 800, 790),
        ("Quincaillerie et scellement", 300, 265),
        ("Plaques en laiton et panneau des donateurs", 400, 180),
        ("Pique-nique d'inauguration", 580, None),
    ],
    "deliveries": ["delivered", "not_started", "in_progress"],
}
