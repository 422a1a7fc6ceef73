"""The web toolkit every package's views share: error pages and refusals (`errors`), field
errors on forms (`forms`), downloads — CSV, Excel, file names (`downloads`), safe return
addresses (`urls`), and the templates' filters and globals (`templating`, with the English
of the domain's labels in `labels_en`)."""
