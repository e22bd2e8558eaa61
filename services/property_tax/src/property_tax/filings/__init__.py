"""Information (IN-1) and declarations (DN-1): the taxable objects a taxpayer owns."""
