"""The levers' *Why / Mechanism / Public cost* in French, for the info tab's French page.

The English text is each lever's module docstring (as docs/levers.md shows it); this is its
translation, section by section, in the vocabulary of the source study ("foncière solidaire",
"marchés réservés", "allotissement", "TVA à impact", "éco-socio-conditionnalité des aides",
"PTCE", "groupement d'employeurs") and of French public policy. The study's own quotations are
kept word for word. Parameter names stay as the configuration spells them. A lever or a section
missing here is shown in English with a note (`info.lever_sections_in`), and a test names it.
"""

from __future__ import annotations

LEVER_SECTIONS_FR: dict[str, dict[str, str]] = {
    "land_trust": {
        "Why": (
            "dans les territoires tendus, les entreprises de l'ESS ne peuvent pas payer les loyers"
            " du marché et les bailleurs privés préfèrent des locataires conventionnels : faute de"
            " locaux, leur croissance s'arrête. L'étude (Levier n°3) recommande de « soutenir le "
            "développement / initier des partenariats avec les foncières solidaires [...] "
            "L'avantage de cette solution est de garantir l'encadrement voire la réduction des "
            "loyers. Si des investisseurs publics comme la Banque des Territoires peuvent investir"
            " directement dans les foncières solidaires, les collectivités locales ont, elles "
            "aussi, un rôle à jouer »."
        ),
        "Mechanism": (
            "des investisseurs publics et solidaires engagent chaque mois du capital en proportion"
            " de la population couverte (l'intensité règle cet engagement). La foncière loue "
            "d'abord ses locaux vacants à des locataires de l'ESS (sans sélection par un "
            "bailleur), avec une décote ``rent_discount`` sur le loyer de marché ; une fois ses "
            "locaux loués, les locataires ESS suivants vont sur le marché privé, et la surface "
            "qu'ils demandaient est la demande contre laquelle la foncière achète : chaque mois, "
            "elle appelle du capital pour acheter autant de locaux d'activité vacants du parc "
            "privé, au prix de loyer de marché × ``purchase_years`` par m², dans la limite du "
            "capital engagé dans le territoire et non encore appelé. La surface passe du parc "
            "vacant privé à celui de la foncière, l'argent de la foncière aux bailleurs privés. Le"
            " capital est dépensé, jamais créé, et jamais pour des surfaces que personne n'a "
            "demandées : ce que la foncière atteint croît avec le capital déployé, puis plafonne "
            "avec la demande de l'ESS pour ses locaux."
        ),
        "Public cost": (
            "la part des investisseurs publics dans le capital appelé chaque mois (payée par la "
            "banque publique d'investissement, la Banque des Territoires). Les loyers perçus par "
            "la foncière ne sont pas déduits : le capital n'est pas récupéré dans l'horizon "
            "simulé."
        ),
    },
    "brownfields": {
        "Why": (
            "dans les territoires tendus, il reste peu de locaux d'activité vacants, alors que des"
            " friches industrielles restent inutilisées. L'étude (Levier n°3) demande de « "
            "réhabiliter les friches industrielles en faveur d'activités à forte utilité sociale /"
            " environnementale » et de « systématiser une réflexion sur l'implantation d'activités"
            " industrielles ESS dans les projets de réhabilitation de friches » ; sa conclusion "
            "ajoute que « les récentes politiques publiques de reconquête des friches "
            "industrielles peuvent aider à [...] résoudre » le problème des locaux."
        ),
        "Mechanism": (
            "chaque mois, une part du stock de friches de chaque territoire couvert est dépolluée "
            "et remise en usage (l'intensité règle le rythme ; la reconversion ne peut jamais "
            "dépasser le stock). Une part ``ess_share`` est réservée à l'ESS et confiée aux "
            "foncières solidaires (leur parc vacant, loué d'abord à des locataires de l'ESS, au "
            "loyer de marché sauf si le levier foncière solidaire le décote) ; le reste rejoint le"
            " parc vacant privé."
        ),
        "Public cost": (
            "la dépollution, ``cleanup_eur_per_m2`` par m², payée par l'État (Fonds friches) aux "
            "entreprises qui font les travaux."
        ),
    },
    "reserved_markets": {
        "Why": (
            "avec des coûts unitaires plus élevés, les structures de l'ESS perdent les appels "
            "d'offres notés sur le prix, et un lot dimensionné pour une grande entreprise est hors"
            " de portée d'une structure seule. L'étude (Levier n°5) demande aux acheteurs publics "
            "de « développer des marchés réservés sur des activités industrielles et favoriser "
            "l'allotissement », et cite Est Ensemble, où un lot réservé a été remporté par un "
            "groupement momentané d'entreprises (GME) de quatre structures de l'ESS, car « une "
            "entreprise de l'ESS seule n'aurait pas pu intervenir »."
        ),
        "Mechanism": (
            "une part des lots de chaque territoire est réservée aux structures d'insertion et aux"
            " entreprises adaptées (Code de la commande publique, articles L2113-12 à L2113-14) et"
            " attribuée à une offre locale éligible capable de l'exécuter ; les marchés sont "
            "allotis pour que de plus petites structures puissent s'en charger ; les structures "
            "locales peuvent mettre en commun leurs capacités disponibles dans des offres "
            "groupées. L'intensité règle la part réservée et l'allotissement."
        ),
        "Public cost": (
            "le surcoût des attributions réservées par rapport à une attribution classique. Une "
            "offre de l'ESS est chiffrée à (1 + surcoût unitaire) × l'offre classique (frein de la"
            " concurrence) : sur un marché réservé de montant V, l'acheteur paie V × surcoût / (1 "
            "+ surcoût) au-dessus du prix classique. Ce surcoût est compté le mois de "
            "l'attribution, sur tout le montant du marché (en engagement), et ne déplace aucun "
            "argent en plus : les paiements du marché eux-mêmes vont déjà des intercommunalités "
            "aux entreprises dans le grand livre."
        ),
    },
    "impact_vat": {
        "Why": (
            "les biens de l'ESS ont des coûts unitaires plus élevés ; un taux de TVA plus bas leur"
            " permet de rivaliser en rayon. L'étude (Levier n°5) propose d'« expérimenter une TVA "
            "à impact : pour les produits et services écologiquement et socialement responsables, "
            "baisser le taux habituel (20%) [...] A noter que des taux réduits existent déjà, 10% "
            "pour la restauration ou encore 5,5% pour les livres » (il faudrait pour cela une "
            "réforme européenne)."
        ),
        "Mechanism": (
            "les biens labellisés ESS vendus aux ménages sont taxés au taux ``reduced_rate`` (l'un"
            " des deux taux réduits existants, 10 % ou 5,5 %) au lieu du taux normal ; l'intensité"
            " fait passer le taux du taux normal vers ce taux réduit. Les vendeurs répercutent une"
            " part ``pass_through`` de la baisse sur les prix de vente et gardent le reste dans "
            "leur prix hors taxes (calibration I : 20 % pour la restauration française en 2009, "
            "environ 50 % pour les coiffeurs finlandais) ; la demande répond à la baisse de prix "
            "avec l'élasticité du marché de consommation (markets/consumer.py). La TVA est un "
            "impôt national : le levier ne se cible pas sur des territoires."
        ),
        "Public cost": (
            "la TVA non perçue sur les ventes couvertes, (taux normal − taux réduit) × ventes hors"
            " taxes. C'est une dépense fiscale : la TVA n'est simplement pas collectée (l'État ne "
            "reçoit que la TVA au taux réduit dans le grand livre), elle est donc comptée comme un"
            " coût sans aucun transfert d'argent."
        ),
    },
    "conditional_aid": {
        "Why": (
            "les Régions versent déjà des aides économiques aux entreprises industrielles ; les "
            "conditionner en fait une raison de connaître des fournisseurs de l'ESS et de leur "
            "acheter. L'étude (Levier n°5) demande de « développer l'éco-socio-conditionnalité des"
            " aides versées aux industries » et cite la Nouvelle-Aquitaine, dont les critères "
            "s'appliquent « sur la base du volontariat pour celles en dessous de 150 000 euros, et"
            " dans le cadre de contrats de transition pour celles qui sont supérieures »."
        ),
        "Mechanism": (
            "chaque mois, la Région accorde des aides à certaines entreprises industrielles "
            "(agents/industry.py). Là où la Région applique la condition, un dossier qu'elle "
            "atteint (part = intensité) engage l'entreprise si l'aide atteint ``threshold_eur`` "
            "(contrat de transition) ; en dessous, l'entreprise s'engage volontairement avec la "
            "probabilité ``voluntary_compliance``. L'entreprise choisit alors l'action ESS la "
            "moins chère du menu du dispositif qu'elle peut réellement tenir : commander à un "
            "fournisseur de l'ESS qu'elle connaît déjà, en qui elle a confiance et qui a de la "
            "capacité disponible, sinon chercher dans son territoire (ou un territoire voisin) un "
            "fournisseur de l'ESS ayant de la capacité disponible et commencer à lui commander. "
            "Sans fournisseur joignable ayant de la capacité, elle ne peut pas respecter la "
            "condition, qui n'y change rien. Une entreprise qui s'engage le fait pour "
            "``contract_months`` : pendant ce temps elle commande à l'ESS comme un acheteur "
            "attentif à sa RSE, et ses commandes sont de vraies commandes à de vrais fournisseurs,"
            " dans la limite de leur capacité disponible (markets/b2b.py). L'engagement prend fin "
            "sans renouvellement ; il tombe plus tôt si rien n'a été livré pendant "
            "``lapse_after_months`` (fournisseur saturé ou disparu, confiance perdue) : une "
            "entreprise sous contrat rembourse alors l'aide pour les mois restants (remboursement "
            "en cas d'engagements non tenus : Nouvelle-Aquitaine, précédent de Ford Blanquefort), "
            "une entreprise volontaire se retire simplement. Options du dispositif non modélisées "
            ": accueillir un implant, embaucher des sortants d'insertion, rejoindre une offre "
            "groupée."
        ),
        "Public cost": (
            "l'instruction de chaque dossier atteint par la condition (payée par la Région en "
            "temps d'agents, comptée vers les ménages), le suivi annuel de chaque engagement en "
            "cours et une prime facultative par entreprise engagée, versée à l'entreprise. L'aide "
            "elle-même est une dépense de référence ; l'aide remboursée revient à la Région dans "
            "le grand livre et n'est pas déduite du coût de ce levier."
        ),
    },
    "matchmaking": {
        "Why": (
            "une entreprise industrielle n'achète qu'à des fournisseurs qu'elle connaît, et les "
            "fournisseurs de l'ESS sont invisibles pour la plupart des acheteurs (« méconnaissance"
            " réciproque »). L'étude (Levier n°1) recommande de « promouvoir les outils de "
            "sourcing d'entreprises de l'ESS » — faire du Marché de l'inclusion, qui « connecte "
            "chaque mois des milliers d'acheteurs publics et privés [...] avec des fournisseurs "
            "inclusifs », une référence — et de « favoriser les rencontres entre acteurs "
            "industriels et entreprises de l'ESS » (rencontres d'affaires organisées par les "
            "collectivités et les CRESS)."
        ),
        "Mechanism": (
            "dans les territoires couverts, la probabilité mensuelle qu'une entreprise découvre un"
            " nouveau fournisseur de l'ESS est multipliée par (1 + intensité × "
            "``discovery_boost``) ; les nouveaux liens vivent ou disparaissent ensuite selon les "
            "livraisons, comme tout lien (markets/b2b.py)."
        ),
        "Public cost": (
            "par entreprise industrielle couverte, une part de la plateforme gérée par l'État et "
            "des rencontres d'affaires organisées par les intercommunalités, payées les unes et "
            "les autres à des prestataires."
        ),
    },
    "industrial_cooperation": {
        "Why": (
            "au-delà des achats, l'industrie et l'ESS peuvent travailler chacune dans la chaîne de"
            " valeur de l'autre. L'étude (Levier n°1) recommande de « permettre l'accès aux "
            "entreprises de l'ESS aux outils de production des acteurs industriels conventionnels "
            "« sur site » » (implants), de « contribuer au développement de consortiums » (Recyfe "
            "donnant à Saint-Gobain accès au calcin) et, pour les décideurs publics, de « soutenir"
            " financièrement les Pôles Territoriaux de Coopération Economique (PTCE) »."
        ),
        "Mechanism": (
            "dans les territoires couverts, selon l'intensité : chaque mois, un lien "
            "d'approvisionnement devient un implant sur site avec la probabilité "
            "``implant_rate_month`` là où le territoire de l'hôte a des surfaces industrielles "
            "inoccupées (confiance totale, jamais perdue faute de confiance) : la surface de "
            "l'implant passe du parc des hôtes à un site de l'entreprise de l'ESS, dont l'équipe "
            "travaille avec les équipements de l'hôte (ils ne produisent rien sans elle : la "
            "capacité vient du personnel qu'elle embauche), contre une redevance"
            " versée à l'hôte (``sim/markets/implants.py``) ; les consortiums passent par le "
            "marché des gisements de déchets (markets/feedstock.py) : un collecteur de l'ESS lié à"
            " un industriel de confiance signe un contrat de consortium qui lui réserve "
            "``consortium_lot_share`` du gisement propre de son partenaire, prélevé sur l'offre du"
            " territoire avant que les recycleurs conventionnels n'enchérissent — pas de "
            "partenaire, pas de lot ; un lot au-delà des besoins du collecteur, ou un partenaire "
            "au gisement faible, n'ajoute rien ; là où les éco-organismes attribuent des lots par"
            " appel d'offres (``lot_contracts``), les collecteurs du territoire peuvent répondre "
            "en consortium (``lot_consortium_chance`` par appel d'offres), mettant en commun "
            "leurs capacités pour atteindre le tonnage minimal qu'aucun n'atteint seul ; au sein"
            " d'un pôle de coopération, entreprises et "
            "fournisseurs de l'ESS bâtissent la confiance plus vite (``trust_gain_boost`` : "
            "projets communs, visites, un animateur qui règle les différends), de sorte que les "
            "nouveaux liens atteignent plus tôt la confiance qu'exige une première commande et "
            "survivent aux retards de livraison. Le pôle ne fixe jamais ce que dépensent les "
            "entreprises : les commandes suivent les besoins, les fournisseurs de confiance et "
            "leur capacité disponible (markets/b2b.py)."
        ),
        "Public cost": (
            "le soutien de l'État aux pôles de coopération (appels à projets PTCE), par entreprise"
            " industrielle couverte, versé aux prestataires des pôles."
        ),
    },
    "impact_finance": {
        "Why": (
            "les banques sélectionnent sur la rentabilité, les garanties et la forme juridique, et"
            " les associations et coopératives ne peuvent pas ouvrir leur capital. L'étude (Levier"
            " n°2) demande aux acteurs publics d'« aller jusqu'au rôle de garant pour soutenir les"
            " financements privés » et d'« activer des leviers juridiques, comme la création d'une"
            " holding pour les associations ou coopératives pour lever les contraintes financières"
            " liées au statut juridique » (la holding SAS du groupe VALO', le Groupe Archer)."
        ),
        "Mechanism": (
            "dans les territoires couverts, un fonds de garantie propose de couvrir "
            "``guarantee_share`` d'un prêt à un emprunteur que la banque juge viable (rentable, "
            "sous son plafond d'endettement). La garantie réduit la perte de la banque en cas de "
            "défaut : elle prête à des demandeurs viables qu'elle refusait faute de garanties "
            "(``collateral_refusal_share`` du frein 3), jamais à une structure déficitaire ou "
            "surendettée (markets/credit.py). Les emprunteurs paient la commission du fonds "
            "(``fee_rate``). Les garanties sont appelées quand un emprunteur fait défaut : après "
            "des échéances impayées (l'emprunteur peut survivre, sa dette rééchelonnée, le fonds "
            "récupérant ce qu'il a payé) ou à la défaillance. Une association ou une coopérative "
            "qui a besoin de fonds propres crée une holding avec la probabilité ``holding_chance``"
            " et lève des fonds propres par elle ; des investisseurs publics (Banque des "
            "Territoires, Bpifrance) prennent ``public_equity_share`` de ces levées, et chaque "
            "participation est remboursée avec le rendement d'impact sur les bénéfices. "
            "L'intensité règle la garantie, la probabilité de holding et la part publique."
        ),
        "Public cost": (
            "compté quand il survient : - le fonds de garantie est supposé public (les fonds de "
            "France Active sont dotés par l'État, la Banque des Territoires et les Régions) : pour"
            " ``public_share_of_calls`` du fonds, l'État paie les appels en garantie quand ils "
            "surviennent et reçoit les commissions du fonds et ses récupérations sur les créances "
            "reprises. Le coût est la perte nette du fonds, pas ses appels bruts (un mois peut "
            "être négatif). - les fonds propres publics : non pas la mise de fonds, qui est un "
            "actif remboursé avec un rendement (elle passe dans le grand livre de la banque "
            "publique d'investissement à l'entreprise, et retour), mais ce que perd l'investisseur"
            " public : les participations passées en perte à la défaillance, quand elle survient, "
            "et chaque mois le rendement manqué par rapport au coût du capital de l'État "
            "(``public_cost_of_capital_yr``) sur les participations détenues. Les participations "
            "encore détenues à l'horizon portent un risque latent qui n'est pas compté."
        ),
    },
    "hr_pooling": {
        "Why": (
            "les entreprises de l'ESS peinent à garder leurs fonctions support et à acquérir des "
            "compétences industrielles, et l'industrie ne recrute pas des sortants d'insertion "
            "qu'elle ne connaît pas. L'étude (Levier n°4) demande de « mutualiser les ressources "
            "humaines » — « devenir membre d'un groupement d'employeurs est un levier permettant "
            "la montée en compétences, l'atteinte d'une taille critique » —, de « développer les "
            "programmes de formation à impact », d'adhérer aux GEIQ et de « développer des "
            "plateformes territoriales de recrutement des salariés en insertion post-parcours afin"
            " de rassurer les employeurs »."
        ),
        "Mechanism": (
            "dans les territoires couverts, selon l'intensité : un groupement d'employeurs partage"
            " des fonctions support, si bien qu'une part ``turnover_cut`` des départs des "
            "fonctions support ne laisse plus de poste vacant ; des partenariats de formation "
            "comblent une part ``skill_boost`` de l'écart de compétences entre les sortants formés"
            " à un métier industriel et les postes industriels difficiles à pourvoir (plus de "
            "sortants sont qualifiés) ; une plateforme de recrutement fait connaître les sortants "
            "aux employeurs industriels, ce qui relève de ``hiring_boost`` l'efficacité "
            "d'appariement des postes difficiles à pourvoir (en relatif, au plus chaque poste "
            "vacant). Les deux agissent sur l'appariement des sortants avec les postes vacants "
            "(markets/labour.py) : un sortant n'est embauché que sur un poste ouvert dans son "
            "territoire, de sorte que le levier n'ajoute aucune sortie là où l'industrie n'a pas "
            "de poste vacant, qu'un poste pourvu quitte le vivier, et que l'effet plafonne quand "
            "les postes ou les sortants qualifiés s'épuisent. Un sortant embauché par l'industrie "
            "ne cherche plus chez les autres employeurs : le gain net du levier en sorties vers "
            "l'emploi est plus faible que ses placements dans l'industrie."
        ),
        "Public cost": (
            "payé par la Région (la formation professionnelle est une compétence régionale) aux "
            "prestataires : l'adhésion au groupement d'employeurs par entreprise de l'ESS "
            "couverte, chaque place de formation réellement utilisée (sortants dont l'écart de "
            "compétences a été comblé par la formation) et le personnel de la plateforme par "
            "territoire couvert."
        ),
    },
}
