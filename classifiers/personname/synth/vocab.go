package synth

// Negative vocabulary: capitalised things that are not people.
var (
	techProducts = []string{"Acme Cloud Pro", "Office 365", "Galaxy S21", "iPhone 15 Pro", "Windows Server 2022", "Visual Studio Code",
		"Adobe Acrobat Reader", "Google Chrome", "Mozilla Firefox", "Apple Watch", "Surface Laptop", "Kindle Paperwhite",
		"PlayStation 5", "Model Y", "ThinkPad X1 Carbon", "MacBook Air", "Slack Enterprise Grid", "Jira Service Management",
		"Salesforce Sales Cloud", "SAP Business One", "Oracle Database", "Microsoft Teams", "Zoom Rooms", "Dropbox Business",
		"Jenkins", "Jackson Databind", "Hudson", "Kafka Connect", "Apache Tomcat", "Spring Boot", "Ruby on Rails", "Django REST Framework",
		"Victoria Metrics", "Grafana Loki", "Elastic Stack", "Sonic Pi", "Ada Runtime", "Julia Studio", "Ubuntu Pro", "Debian Bookworm",
		"Premium Plus Plan", "Gold Membership", "Family Bundle", "Starter Kit", "Turbo Vac 3000", "Blue Widget Pro", "Mega Pack"}
	companyWords = []string{"Acme", "Globex", "Initech", "Northwind", "Contoso", "Umbrella", "Vandelay", "Stark", "Wayne", "Tyrell",
		"Cyberdyne", "Soylent", "Hooli", "Pied Piper", "Wonka", "Oscorp", "Aperture", "Blue Sky", "Silver Line", "Nordic Freight",
		"Alpine", "Atlas", "Summit", "Pioneer", "Evergreen", "Redwood", "Horizon", "Sterling", "Crown", "Royal", "Bayer", "Siemens",
		"Schneider", "Bosch", "Michelin", "Renault", "Zara", "Telefónica", "Iberdrola", "Carrefour", "Lidl", "Aldi", "Otto", "Philips"}
	companySuffix = []string{"Inc.", "Ltd", "LLC", "GmbH", "AG", "SA", "S.A.", "SARL", "S.L.", "B.V.", "plc", "Corp.", "Group",
		"Logistics", "Consulting", "Holdings", "Solutions", "Systems", "Technologies", "Bank", "Insurance", "Software", "Labs"}
	classHeads = []string{"Order", "User", "Payment", "Customer", "Account", "Invoice", "Session", "Auth", "Cart", "Shipping",
		"Email", "Notification", "Report", "Billing", "Profile", "Inventory", "Product", "Search", "Token", "Config", "Http", "Json",
		"Kafka", "Redis", "Postgres", "Martin", "Victor", "Hugo", "Max", "Grace", "Jack", "Oscar", "Felix", "Leo"}
	classTails = []string{"Service", "Controller", "Manager", "Handler", "Repository", "Factory", "Exception", "Client", "Impl",
		"Worker", "Processor", "Validator", "Serializer", "Builder", "Adapter", "Provider", "Listener", "Job", "Task", "Dto", "Entity"}
	brandNouns = []string{"Notebooks", "Studio", "Cloud", "Analytics", "Engine", "Server", "Desktop", "Manager", "Hub", "Suite",
		"Platform", "Tunnels", "Chat", "Pipelines", "Insights", "Connect", "Workspace", "Drive", "Payments", "Reader", "Editor",
		"Monitor", "Gateway", "Vault", "Sync", "Mobile", "Express", "Labs", "Works", "Foods", "Motors", "Airlines", "Pharma"}
	addressees = []string{"Support", "Team", "Everyone", "All", "Customer", "Valued Customer", "Sir or Madam", "Sir", "Madam",
		"Colleagues", "Folks", "Friends", "Support Team", "Billing", "Sales", "Admin", "HR", "Kundenservice", "Team",
		"Service Client", "Equipo", "Soporte", "Kunde", "Cliente", "Members", "Partner", "Guys"}
	headingWords = []string{"User", "Guide", "Getting", "Started", "Release", "Notes", "Customer", "Support", "Privacy", "Policy",
		"Terms", "Service", "Account", "Settings", "Billing", "History", "Quick", "Start", "Overview", "Summary", "Action",
		"Items", "Next", "Steps", "Open", "Issues", "Known", "Problems", "Frequently", "Asked", "Questions", "Contact", "Us",
		"About", "Our", "Team", "Product", "Update", "Security", "Notice", "Important", "Information", "Meeting", "Minutes",
		"Weekly", "Report", "Status", "Incident", "Review", "Post", "Mortem", "Root", "Cause", "Analysis", "New", "Features",
		"Bug", "Fixes", "Table", "Contents", "Introduction", "Appendix", "Chapter", "Section", "Welcome", "Back", "Home", "Page"}
	methodVerbs = []string{"get", "set", "find", "load", "save", "update", "delete", "process", "handle", "validate", "create", "build"}
	exceptions  = []string{"NullPointerException", "IllegalArgumentException", "IllegalStateException", "TimeoutException",
		"SQLException", "IOException", "ConnectionRefusedError", "KeyError", "ValueError", "TypeError", "RuntimeError",
		"OutOfMemoryError", "StackOverflowError", "ClassNotFoundException", "ConcurrentModificationException"}
	packages = []string{"com.example.billing", "org.acme.orders", "io.shop.checkout", "de.firma.kunden", "fr.societe.factures",
		"net.example.auth", "com.contoso.crm", "org.springframework.web"}
	teams = []string{"Team Phoenix", "Platform Team", "Customer Success", "Tier 2 Support", "Billing Ops", "Data Engineering",
		"Site Reliability", "Team Atlas", "Growth Squad", "Equipo Soporte", "Service Client", "Kundenservice"}
	months = map[string][]string{
		"en": {"January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"},
		"de": {"Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September", "Oktober", "November", "Dezember"},
		"fr": {"janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"},
		"es": {"enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre", "octubre", "noviembre", "diciembre"},
	}
	weekdays = map[string][]string{
		"en": {"Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"},
		"de": {"Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag", "Sonntag"},
		"fr": {"lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"},
		"es": {"lunes", "martes", "miércoles", "jueves", "viernes", "sábado", "domingo"},
	}
)
