"""Swedish words: how text is analysed for the index, and which words are real words (spelling,
compounds). Below the query and the index, which both read words the same way."""
