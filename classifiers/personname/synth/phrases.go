package synth

// Phrase slots for the training templates ({GREET}, {SIGN}, {BODY}, {ROLE},
// {SAID}), per language. The dev templates spell their own greetings and
// sign-offs; the ones they use are deliberately absent here.
var (
	greetings = map[string][]string{
		"en": {"Hi", "Hello", "Hey", "Dear", "Good morning", "Morning", "Hiya", "Greetings", "Hi there"},
		"de": {"Hallo", "Hi", "Guten Morgen", "Liebe", "Lieber", "Moin", "Servus", "Hallo liebe", "Sehr geehrte", "Sehr geehrter"},
		"fr": {"Bonjour", "Salut", "Coucou", "Cher", "Chère", "Bonjour à toi"},
		"es": {"Hola", "Buenos días", "Buenas", "Querido", "Querida", "Estimado", "Estimada"},
	}
	signoffs = map[string][]string{
		"en": {"Best", "Thanks", "Cheers", "Regards", "Best regards", "Kind regards", "Sincerely", "Thank you", "BR", "Yours truly", "Talk soon"},
		"de": {"Viele Grüße", "Beste Grüße", "Gruß", "Mit freundlichen Grüßen", "LG", "Danke", "Herzliche Grüße"},
		"fr": {"Cordialement", "Merci", "Bonne journée", "À bientôt", "Salutations", "Bien cordialement"},
		"es": {"Saludos", "Atentamente", "Gracias", "Un abrazo", "Saludos cordiales"},
	}
	bodies = map[string][]string{
		"en": {"Your refund has been processed.", "The Order Status page shows Delivered.", "We could not reproduce the issue on {PRODUCT}.",
			"Please find the invoice attached.", "Your {PRODUCT} is covered until {MONTH}.", "Could you send a screenshot of the Error page?",
			"The courier will come on {DAY}.", "I reset the password for the Admin Portal.", "The meeting in {CITY} is moved to {DAY}.",
			"Our Support Team is available Monday to Friday.", "Thanks for the quick reply.", "Happy New Year to you and your family!",
			"Let me know if the {CLASS} error comes back.", "See the attached PDF for the Terms of Service."},
		"de": {"Ihre Rückerstattung wurde veranlasst.", "Die Rechnung finden Sie im Anhang.", "Der Kurier kommt am {DAY}.",
			"Das Passwort für das Kundenportal wurde zurückgesetzt.", "Die Lieferung nach {CITY} verzögert sich.",
			"Bitte senden Sie uns einen Screenshot der Fehlermeldung.", "Der Vertrag endet im {MONTH}.", "Vielen Dank für Ihre Geduld."},
		"fr": {"Votre remboursement a été effectué.", "Vous trouverez la facture en pièce jointe.", "Le livreur passera {DAY}.",
			"Le mot de passe de l'Espace Client a été réinitialisé.", "La livraison à {CITY} est retardée.", "Merci pour votre patience."},
		"es": {"Su reembolso ha sido procesado.", "Adjuntamos la factura.", "El mensajero pasará el {DAY}.",
			"La contraseña del Portal de Clientes fue restablecida.", "El envío a {CITY} se retrasa.", "Gracias por su paciencia."},
	}
	roles = map[string][]string{
		"en": {"customer", "client", "caller", "agent", "technician", "driver", "courier", "manager", "colleague", "user", "patient",
			"tenant", "student", "applicant", "candidate", "buyer", "seller", "landlord", "guest", "member", "subscriber", "Customer", "Agent"},
		"de": {"Kunde", "Kundin", "Mitarbeiter", "Mitarbeiterin", "Techniker", "Fahrer", "Patient", "Patientin", "Mieter", "Kollege", "Kollegin"},
		"fr": {"client", "cliente", "technicien", "livreur", "patient", "collègue", "locataire", "conseiller", "conseillère"},
		"es": {"cliente", "técnico", "repartidor", "paciente", "compañero", "compañera", "inquilino", "agente"},
	}
	saids = map[string][]string{
		"en": {"said", "wrote", "asked", "mentioned", "confirmed", "noted", "commented", "explained", "complained", "says"},
		"de": {"sagte", "schrieb", "fragte", "meinte", "bestätigte"},
		"fr": {"a dit", "a écrit", "a demandé", "a confirmé", "précise"},
		"es": {"dijo", "escribió", "preguntó", "confirmó", "comentó"},
	}
)

func (g *Generator) phrase(loc, slot string) (string, bool) {
	var m map[string][]string
	switch slot {
	case "GREET":
		m = greetings
	case "SIGN":
		m = signoffs
	case "BODY":
		m = bodies
	case "ROLE":
		m = roles
	case "SAID":
		m = saids
	default:
		return "", false
	}
	xs := m[langOf(loc)]
	if xs == nil {
		xs = m["en"]
	}
	return xs[g.r.IntN(len(xs))], true
}
