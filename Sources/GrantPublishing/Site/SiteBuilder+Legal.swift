import GrantDomain

/// The pages the law asks of a public site and of open data: the accessibility statement (RGAA) and the legal
/// notice, with the licence and legal basis of the downloads.
extension SiteBuilder {
    /// The licence, update date and legal basis of the published data, as one paragraph.
    var dataConditions: Markup {
        "<p>Les fichiers sont publiés sous la <strong>Licence Ouverte / Open Licence version 2.0</strong> (Etalab) : réutilisation libre, y compris commerciale, en mentionnant la source (\(identity.title)) et la date de mise à jour. Mise à jour : \(dateFrench(identity.headDate)), date de la dernière entrée du journal (\(HTML.integer(identity.size)) entrées). Base légale : article 10 de la loi n° 2000-321 du 12 avril 2000, décret n° 2017-779 du 5 mai 2017 relatif à l'accès sous forme électronique aux données essentielles des conventions de subvention, et arrêté du 17 novembre 2017 relatif aux conditions de mise à disposition de ces données (format SCDL « Subventions »).</p>\n"
    }

    func accessibilityPage() -> Markup {
        var body: Markup = "<h1>Déclaration d'accessibilité</h1>\n"
        body +=
            "<p>\(identity.title) s'engage à rendre ce site accessible conformément à l'article 47 de la loi n° 2005-102 du 11 février 2005. Cette déclaration s'applique au site produit par <code>grant-ledger publish</code> à partir du journal <code>\(identity.origin)</code>.</p>\n"
        body += "<h2>État de conformité</h2>\n"
        body +=
            "<p>Ce site est <strong>non conforme</strong> au référentiel général d'amélioration de l'accessibilité (RGAA 4.1) : il n'a pas encore fait l'objet d'un audit de conformité, condition d'une déclaration de conformité partielle ou totale.</p>\n"
        body += "<h2>Ce qui est vérifié à chaque publication</h2>\n<ul>\n"
        body +=
            "<li>Chaque page est validée par le validateur HTML du W3C (aucune erreur) et par axe-core (aucune violation).</li>\n"
        body +=
            "<li>Chaque page s'affiche sans défilement horizontal à 375 et 1 280 pixels de large (critère 10.11, WCAG 1.4.10) ; les grands tableaux défilent dans une zone nommée, atteignable au clavier.</li>\n"
        body +=
            "<li>Chaque graphique a un titre et est suivi d'un tableau des mêmes chiffres ; son texte fait au moins 12 pixels à l'écran ; les couleurs ont un contraste d'au moins 4,5:1.</li>\n"
        body +=
            "<li>Le site est en français (<code>lang=\"fr\"</code>), n'utilise ni JavaScript ni ressource externe, et un lien d'évitement mène au contenu.</li>\n</ul>\n"
        body += "<h2>Établissement de cette déclaration</h2>\n"
        body +=
            "<p>Déclaration établie le \(dateFrench(identity.headDate)), date de la publication. Technologies : HTML5, CSS, SVG. Outils : validateur Nu du W3C, axe-core, Chromium sans interface à 375 et 1 280 pixels.</p>\n"
        body += "<h2>Retour d'information et contact</h2>\n"
        body +=
            "<p>Si vous ne pouvez pas accéder à un contenu ou à un service, contactez \(identity.title) pour être orienté vers une alternative accessible ou obtenir le contenu sous une autre forme. Toutes les données de ce site existent aussi en fichiers ouverts (<a href=\"telechargements.html\">Téléchargements</a>).</p>\n"
        body += "<h2>Voies de recours</h2>\n"
        body +=
            "<p>Si vous avez signalé un défaut d'accessibilité qui vous empêche d'accéder à un contenu et que vous n'avez pas obtenu de réponse satisfaisante, vous pouvez écrire au Défenseur des droits, contacter son délégué dans votre région, ou lui écrire gratuitement, sans timbre, à l'adresse : Défenseur des droits, Libre réponse 71120, 75342 Paris CEDEX 07.</p>\n"
        return page(path: "accessibilite.html", title: "Accessibilité", depth: 0, body: body)
    }

    func legalNoticePage() -> Markup {
        var body: Markup = "<h1>Mentions légales</h1>\n"
        body += "<h2>Éditeur</h2>\n"
        body +=
            "<p>\(identity.title), autorité de gestion du journal <code>\(identity.origin)</code>, dont elle signe la création et les clés. Le contenu du site est tiré de ce journal par <code>grant-ledger publish</code>, sans autre source que le fichier des SIRET publié à côté.</p>\n"
        body += "<h2>Réutilisation des données</h2>\n" + dataConditions
        body += "<h2>Données personnelles</h2>\n"
        body +=
            "<p>Les bénéficiaires sont des collectivités, personnes morales de droit public : aucune donnée personnelle n'est publiée (code des relations entre le public et l'administration, art. L. 312-1-2). Le prestataire choisi par chaque collectivité, qui peut être une personne physique, et les commentaires des notateurs ne figurent ni sur le site ni dans les fichiers. Le site ne dépose aucun cookie, n'exécute aucun script et ne fait appel à aucune ressource externe : aucune mesure d'audience.</p>\n"
        body += "<h2>Décisions prises par un traitement algorithmique</h2>\n"
        body +=
            "<p>Les décisions reposent sur une note pondérée et une grille de montants publiées avant le dépôt des dossiers. Les règles, les données, les paramètres et les pondérations appliqués à chaque décision figurent sur sa page (code des relations entre le public et l'administration, art. L. 311-3-1 et R. 311-3-1-2).</p>\n"
        body += "<h2>Accessibilité</h2>\n<p><a href=\"accessibilite.html\">Déclaration d'accessibilité</a>.</p>\n"
        return page(path: "mentions-legales.html", title: "Mentions légales", depth: 0, body: body)
    }
}
