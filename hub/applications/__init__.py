"""Applications: a child's place at a school (areas of kind `application`),
checked for age, places and duplicates, with a status people move on."""
